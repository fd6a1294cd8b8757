//! State: what an environment's resources look like after the last apply, one JSON file per
//! environment.

use hcl::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The resources of one environment as last applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The state format's version, 1.
    pub version: u32,
    /// How many applies wrote this state.
    pub serial: u64,
    /// Resource instances by address.
    pub resources: BTreeMap<String, ResourceState>,
    /// Root module outputs as last applied.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, Value>,
}

/// One resource instance in the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceState {
    #[serde(rename = "type")]
    pub type_name: String,
    pub attributes: BTreeMap<String, Value>,
    /// `lifecycle.prevent_destroy` as last applied, so a resource removed from the
    /// configuration is still protected.
    #[serde(default)]
    pub prevent_destroy: bool,
}

impl State {
    /// Reads a state file; a file that is not one gives a message saying why.
    pub fn from_json(text: &str) -> Result<State, String> {
        let state: State = serde_json::from_str(text)
            .map_err(|error| format!("the state file is not valid: {error}"))?;
        if state.version != 1 {
            return Err(format!(
                "the state file has version {}; this version of opsdojo reads version 1",
                state.version
            ));
        }
        Ok(state)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// An empty state, as before the first apply.
    pub fn empty() -> State {
        State {
            version: 1,
            ..State::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_what_is_not_a_state() {
        let mut state = State::empty();
        state.resources.insert(
            "aws_iam_user.partner".into(),
            ResourceState {
                type_name: "aws_iam_user".into(),
                attributes: BTreeMap::from([("name".to_string(), Value::from("partner"))]),
                prevent_destroy: false,
            },
        );
        assert_eq!(State::from_json(&state.to_json()), Ok(state));
        assert!(State::from_json("{\"version\": 4}").is_err());
        assert!(State::from_json("not json")
            .unwrap_err()
            .contains("not valid"));
    }
}

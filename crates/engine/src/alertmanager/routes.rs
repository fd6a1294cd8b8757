//! The routing tree as `amtool config routes` prints it, and the path an alert takes through it.
//!
//! [`routing_tree`] is `amtool config routes show`; [`matching_tree`] is the tree that
//! `amtool config routes test --tree` prints; [`matching_routes`] gives the routes an alert is
//! delivered through, with their place in the tree, for the dispatcher and the browser.

use super::config::Route;
use super::matcher::Matcher;
use serde::Serialize;
use std::collections::BTreeMap;

/// Between a route's matchers, `continue: true` and its receiver.
const SEPARATOR: &str = "  ";

/// The vertical link the tree draws under a branch that goes on: amtool as Debian ships it
/// pads it with two no-break spaces and a space.
const LINK: &str = "\u{2502}\u{a0}\u{a0} ";
const ENDED: &str = "    ";
const MIDDLE: &str = "\u{251c}\u{2500}\u{2500}";
const LAST: &str = "\u{2514}\u{2500}\u{2500}";

/// One node of a printed tree.
struct Node {
    text: String,
    children: Vec<Node>,
}

/// A route's label: its matchers (sorted, as Alertmanager sorts them) or `default-route`.
pub fn route_label(route: &Route) -> String {
    if route.matchers.is_empty() {
        return "default-route".to_string();
    }
    let mut matchers: Vec<&Matcher> = route.matchers.iter().collect();
    matchers.sort_by(|a, b| {
        (a.name.as_str(), a.value.as_str(), a.kind as u8).cmp(&(
            b.name.as_str(),
            b.value.as_str(),
            b.kind as u8,
        ))
    });
    let parts: Vec<String> = matchers.iter().map(|m| m.to_string()).collect();
    format!("{{{}}}", parts.join(","))
}

fn slug(route: &Route, show_continue: bool, show_receiver: bool) -> String {
    let mut text = route_label(route);
    if route.continue_matching && show_continue {
        text.push_str(SEPARATOR);
        text.push_str("continue: true");
    }
    if show_receiver {
        text.push_str(SEPARATOR);
        text.push_str("receiver: ");
        text.push_str(&route.receiver);
    }
    text
}

fn whole(route: &Route) -> Node {
    Node {
        text: slug(route, true, true),
        children: route.routes.iter().map(whole).collect(),
    }
}

fn matching(route: &Route, labels: &BTreeMap<String, String>) -> Node {
    let mut children = Vec::new();
    for child in &route.routes {
        if child.matchers.iter().all(|m| m.matches(labels)) {
            children.push(matching(child, labels));
            if !child.continue_matching {
                break;
            }
        }
    }
    let text = slug(route, false, children.is_empty());
    Node { text, children }
}

fn print(root: Node) -> String {
    let mut out = String::from(".\n");
    print_nodes(&mut out, 0, &[], &[root]);
    out
}

fn print_nodes(out: &mut String, level: usize, ended: &[usize], nodes: &[Node]) {
    for (index, node) in nodes.iter().enumerate() {
        let last = index + 1 == nodes.len();
        let mut ended_here = ended.to_vec();
        if last {
            ended_here.push(level);
        }
        for depth in 0..level {
            out.push_str(if ended_here.contains(&depth) {
                ENDED
            } else {
                LINK
            });
        }
        out.push_str(if last { LAST } else { MIDDLE });
        out.push(' ');
        out.push_str(&node.text);
        out.push('\n');
        print_nodes(out, level + 1, &ended_here, &node.children);
    }
}

/// The whole tree, every route with its matchers, `continue` and receiver, as
/// `amtool config routes show` prints it after `Routing tree:`.
pub fn routing_tree(route: &Route) -> String {
    print(whole(route))
}

/// The routes an alert with `labels` passes through, the final ones with their receiver, as
/// `amtool config routes test --tree` prints it after `Matching routes:`.
pub fn matching_tree(route: &Route, labels: &BTreeMap<String, String>) -> String {
    print(matching(route, labels))
}

/// Each route an alert with `labels` is delivered through, in tree order, with the child
/// indexes that lead to it from the root (the root itself is the empty path), as Alertmanager's
/// dispatcher resolves them.
pub fn matching_routes<'a>(
    route: &'a Route,
    labels: &BTreeMap<String, String>,
) -> Vec<(Vec<usize>, &'a Route)> {
    fn walk<'a>(
        route: &'a Route,
        labels: &BTreeMap<String, String>,
        path: &mut Vec<usize>,
    ) -> Vec<(Vec<usize>, &'a Route)> {
        if !route.matchers.iter().all(|m| m.matches(labels)) {
            return Vec::new();
        }
        let mut all = Vec::new();
        for (index, child) in route.routes.iter().enumerate() {
            path.push(index);
            let matches = walk(child, labels, path);
            path.pop();
            let matched = !matches.is_empty();
            all.extend(matches);
            if matched && !child.continue_matching {
                break;
            }
        }
        if all.is_empty() {
            all.push((path.clone(), route));
        }
        all
    }
    walk(route, labels, &mut Vec::new())
}

/// A route as the browser draws it: its label, receiver, whether matching continues after it,
/// and its place in the tree (child indexes from the root).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteNode {
    pub label: String,
    pub receiver: String,
    pub continue_matching: bool,
    pub path: Vec<usize>,
    pub children: Vec<RouteNode>,
}

/// The routing tree as data, for drawing.
pub fn route_nodes(route: &Route) -> RouteNode {
    fn node(route: &Route, path: &mut Vec<usize>) -> RouteNode {
        let mut children = Vec::with_capacity(route.routes.len());
        for (index, child) in route.routes.iter().enumerate() {
            path.push(index);
            children.push(node(child, path));
            path.pop();
        }
        RouteNode {
            label: route_label(route),
            receiver: route.receiver.clone(),
            continue_matching: route.continue_matching,
            path: path.clone(),
            children,
        }
    }
    node(route, &mut Vec::new())
}

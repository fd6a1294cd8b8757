//! Explain a query: the tree of its parts, each with what it does in words, how many results
//! it gives on its own and the first of them; between two vectors, how their series paired.

use crate::i18n::{CurrentLocale, Locale};
use crate::session::{published, refresh_beat, Sim};
use leptos::prelude::*;
use opsdojo_engine::limits::EXPLAIN_MAX_PARTS;
use opsdojo_engine::promql::{
    Cardinality, ExplainNode, Grouping, LabelCondition, LabelTest, MatchOn, Matching,
    OperatorClass, Outcome, Part, Selection, Shift,
};

/// The longest part text shown whole; longer ones end with an ellipsis.
const TEXT_SHOWN: usize = 240;

/// A value as Prometheus prints it in its tables.
fn value_text(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        value.to_string()
    }
}

fn code_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pick(locale: Locale, en: String, fr: String) -> String {
    match locale {
        Locale::En => en,
        Locale::Fr => fr,
    }
}

fn shift_text(locale: Locale, shift: &Shift) -> String {
    let mut text = String::new();
    if let Some(offset) = &shift.offset {
        text += &pick(
            locale,
            format!(", as it was {offset} earlier"),
            format!(", telle qu'elle était {offset} plus tôt"),
        );
    }
    if let Some(at) = &shift.at {
        text += &pick(
            locale,
            format!(", taken at `{at}`"),
            format!(", prise à `{at}`"),
        );
    }
    text
}

fn selection_text(locale: Locale, selection: &Selection) -> String {
    let mut text = match &selection.metric {
        Some(metric) => pick(
            locale,
            format!("every series named `{metric}`"),
            format!("chaque série nommée `{metric}`"),
        ),
        None => pick(locale, "every series".into(), "chaque série".into()),
    };
    let conditions: Vec<String> = selection
        .matchers
        .iter()
        .map(|LabelCondition { label, test, value }| {
            let (en, fr) = match test {
                LabelTest::Equal => ("is", "vaut"),
                LabelTest::NotEqual => ("is not", "ne vaut pas"),
                LabelTest::Matches => ("matches", "correspond à"),
                LabelTest::NotMatches => ("does not match", "ne correspond pas à"),
            };
            pick(
                locale,
                format!("`{label}` {en} `{value}`"),
                format!("`{label}` {fr} `{value}`"),
            )
        })
        .collect();
    if !conditions.is_empty() {
        text += &pick(locale, " whose ".into(), " dont ".into());
        text += &conditions.join(pick(locale, " and ".into(), " et ".into()).as_str());
    }
    text + &shift_text(locale, &selection.shift)
}

/// What a function does, in a sentence; the common ones by name.
fn function_text(locale: Locale, name: &str) -> String {
    let (en, fr) = match name {
        "rate" => (
            "The per-second rate of increase of each counter over the range, extrapolated to the range's edges; resets are counted as increases.",
            "Le taux d'augmentation par seconde de chaque compteur sur la plage, extrapolé aux bords ; les remises à zéro comptent comme des hausses.",
        ),
        "irate" => (
            "The per-second rate between the last two samples of each counter in the range.",
            "Le taux par seconde entre les deux derniers échantillons de chaque compteur de la plage.",
        ),
        "increase" => (
            "How much each counter grew over the range: `rate` times the range.",
            "De combien chaque compteur a augmenté sur la plage : `rate` fois la plage.",
        ),
        "delta" => (
            "The difference between the first and last value of each gauge over the range, extrapolated.",
            "La différence entre la première et la dernière valeur de chaque jauge sur la plage, extrapolée.",
        ),
        "deriv" => (
            "The per-second slope of each gauge over the range, by linear regression.",
            "La pente par seconde de chaque jauge sur la plage, par régression linéaire.",
        ),
        "predict_linear" => (
            "The value each gauge will have after the given seconds, if it keeps its trend over the range.",
            "La valeur qu'aura chaque jauge après le nombre de secondes donné, si elle garde sa tendance sur la plage.",
        ),
        "histogram_quantile" => (
            "The quantile of a histogram, estimated from its `le` buckets by linear interpolation inside the bucket that holds it. Buckets must keep their `le` label.",
            "Le quantile d'un histogramme, estimé à partir de ses compartiments `le` par interpolation linéaire. Les compartiments doivent garder leur label `le`.",
        ),
        "avg_over_time" | "sum_over_time" | "min_over_time" | "max_over_time"
        | "count_over_time" | "last_over_time" | "stddev_over_time" | "stdvar_over_time"
        | "quantile_over_time" | "present_over_time" => (
            "The values of each series over the range, reduced to one per series (as the name says).",
            "Les valeurs de chaque série sur la plage, réduites à une par série (comme le dit son nom).",
        ),
        "absent" => (
            "Nothing when the argument has series; one series of value 1 when it has none: for alerts on missing data.",
            "Rien quand l'argument a des séries ; une série de valeur 1 quand il n'en a pas : pour alerter sur une absence.",
        ),
        "absent_over_time" => (
            "One series of value 1 when the range holds no sample at all.",
            "Une série de valeur 1 quand la plage ne contient aucun échantillon.",
        ),
        "changes" | "resets" => (
            "How many times each series changed value (or, for `resets`, went down) over the range.",
            "Combien de fois chaque série a changé de valeur (ou, pour `resets`, a baissé) sur la plage.",
        ),
        "label_replace" | "label_join" => (
            "Each series with a label written from other labels' values.",
            "Chaque série avec un label écrit à partir des valeurs d'autres labels.",
        ),
        "vector" => (
            "The number as one series without labels.",
            "Le nombre, comme une série sans label.",
        ),
        "scalar" => (
            "The value of a one-series vector as a number; NaN when it has no series or several.",
            "La valeur d'un vecteur d'une seule série, comme nombre ; NaN s'il en a zéro ou plusieurs.",
        ),
        "time" => (
            "The evaluation time, in seconds since 1970.",
            "L'heure d'évaluation, en secondes depuis 1970.",
        ),
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" => (
            "The same series, in another order (instant queries only).",
            "Les mêmes séries, dans un autre ordre (requêtes instantanées seulement).",
        ),
        "clamp" | "clamp_min" | "clamp_max" => (
            "Each value kept within the given bounds.",
            "Chaque valeur ramenée entre les bornes données.",
        ),
        "round" | "ceil" | "floor" | "abs" | "sqrt" | "exp" | "ln" | "log2" | "log10" => (
            "The function applied to every value; the metric name goes.",
            "La fonction appliquée à chaque valeur ; le nom de la métrique disparaît.",
        ),
        _ => (
            "A call of this function on its arguments.",
            "Un appel de cette fonction sur ses arguments.",
        ),
    };
    pick(locale, en.into(), fr.into())
}

fn aggregation_text(locale: Locale, op: &str, grouping: &Grouping) -> String {
    let (en, fr) = match op {
        "sum" => ("Adds up", "Additionne"),
        "avg" => ("Averages", "Fait la moyenne de"),
        "min" => (
            "Keeps the smallest value of",
            "Garde la plus petite valeur de",
        ),
        "max" => (
            "Keeps the largest value of",
            "Garde la plus grande valeur de",
        ),
        "count" => ("Counts", "Compte"),
        "group" => ("Gives 1 for", "Donne 1 pour"),
        "stddev" => ("Takes the standard deviation of", "Prend l'écart type de"),
        "stdvar" => ("Takes the variance of", "Prend la variance de"),
        "quantile" => ("Takes the given quantile of", "Prend le quantile donné de"),
        "topk" => ("Keeps the k largest of", "Garde les k plus grandes de"),
        "bottomk" => ("Keeps the k smallest of", "Garde les k plus petites de"),
        "count_values" => (
            "Counts the series per distinct value among",
            "Compte les séries par valeur distincte parmi",
        ),
        _ => ("Aggregates", "Agrège"),
    };
    let groups = match grouping {
        Grouping::Everything => pick(
            locale,
            "all the series into one result, without labels.".into(),
            "toutes les séries en un seul résultat, sans label.".into(),
        ),
        Grouping::By(names) => pick(
            locale,
            format!(
                "the series that share their {}: one result per combination, with only these labels.",
                code_list(names)
            ),
            format!(
                "les séries qui partagent leurs {} : un résultat par combinaison, avec ces seuls labels.",
                code_list(names)
            ),
        ),
        Grouping::Without(names) => pick(
            locale,
            format!(
                "the series that differ only by {}: one result each, without these labels.",
                code_list(names)
            ),
            format!(
                "les séries qui ne diffèrent que par {} : un résultat chacune, sans ces labels.",
                code_list(names)
            ),
        ),
    };
    format!("{} {groups}", pick(locale, en.into(), fr.into()))
}

fn operator_text(locale: Locale, op: &str, class: OperatorClass) -> String {
    match (class, op) {
        (OperatorClass::Set, "and") => pick(
            locale,
            "Keeps the left series that have a partner on the right.".into(),
            "Garde les séries de gauche qui ont un partenaire à droite.".into(),
        ),
        (OperatorClass::Set, "or") => pick(
            locale,
            "All the left series, and the right series that have no partner on the left.".into(),
            "Toutes les séries de gauche, et celles de droite sans partenaire à gauche.".into(),
        ),
        (OperatorClass::Set, _) => pick(
            locale,
            "Keeps the left series that have no partner on the right.".into(),
            "Garde les séries de gauche qui n'ont pas de partenaire à droite.".into(),
        ),
        (OperatorClass::Filter, _) => pick(
            locale,
            format!("Keeps the left values for which left {op} right holds, and drops the others."),
            format!("Garde les valeurs de gauche pour lesquelles gauche {op} droite est vrai, et écarte les autres."),
        ),
        (OperatorClass::Bool, _) => pick(
            locale,
            format!("Gives 1 where left {op} right holds and 0 where it does not."),
            format!("Donne 1 là où gauche {op} droite est vrai, et 0 ailleurs."),
        ),
        (OperatorClass::Arithmetic, _) => pick(
            locale,
            format!("Computes left {op} right; the metric name goes."),
            format!("Calcule gauche {op} droite ; le nom de la métrique disparaît."),
        ),
    }
}

fn matching_text(locale: Locale, matching: &Matching) -> String {
    let on = match &matching.on {
        MatchOn::AllLabels => pick(
            locale,
            "all their labels but the metric name".into(),
            "tous leurs labels sauf le nom de la métrique".into(),
        ),
        MatchOn::On(names) => pick(
            locale,
            format!("{} only (`on`)", code_list(names)),
            format!("{} seulement (`on`)", code_list(names)),
        ),
        MatchOn::Ignoring(names) => pick(
            locale,
            format!(
                "all their labels but the metric name and {}",
                code_list(names)
            ),
            format!("tous leurs labels sauf le nom et {}", code_list(names)),
        ),
    };
    let cardinality = match &matching.cardinality {
        Cardinality::OneToOne => pick(
            locale,
            "one left series for one right series".into(),
            "une série de gauche pour une de droite".into(),
        ),
        Cardinality::ManyToOne(names) => pick(
            locale,
            format!(
                "several left series may share one right series (`group_left`){}",
                copied(locale, names)
            ),
            format!(
                "plusieurs séries de gauche peuvent partager une série de droite (`group_left`){}",
                copied(locale, names)
            ),
        ),
        Cardinality::OneToMany(names) => pick(
            locale,
            format!(
                "several right series may share one left series (`group_right`){}",
                copied(locale, names)
            ),
            format!(
                "plusieurs séries de droite peuvent partager une série de gauche (`group_right`){}",
                copied(locale, names)
            ),
        ),
        Cardinality::ManyToMany => pick(
            locale,
            "any number on each side".into(),
            "autant qu'il en faut de chaque côté".into(),
        ),
    };
    pick(
        locale,
        format!(
            "Series are paired on {on}, {cardinality}: {} of {} left series and {} of {} right series found a partner.",
            matching.left_matched, matching.left_total, matching.right_matched, matching.right_total
        ),
        format!(
            "Les séries sont appariées sur {on}, {cardinality} : {} séries de gauche sur {} et {} de droite sur {} ont trouvé un partenaire.",
            matching.left_matched, matching.left_total, matching.right_matched, matching.right_total
        ),
    )
}

fn copied(locale: Locale, names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        pick(
            locale,
            format!(", which gives them its {}", code_list(names)),
            format!(", qui leur donne ses {}", code_list(names)),
        )
    }
}

/// What a part does, in a sentence of the interface's language.
fn describe(locale: Locale, part: &Part) -> String {
    match part {
        Part::Number(value) => pick(
            locale,
            format!("The number {}.", value_text(*value)),
            format!("Le nombre {}.", value_text(*value)),
        ),
        Part::String => pick(locale, "A string.".into(), "Une chaîne.".into()),
        Part::Parentheses => pick(
            locale,
            "Parentheses: the value inside, grouped before the operators around it.".into(),
            "Des parenthèses : la valeur intérieure, calculée avant les opérateurs autour.".into(),
        ),
        Part::Negation => pick(
            locale,
            "Every value with its sign changed.".into(),
            "Chaque valeur avec son signe inversé.".into(),
        ),
        Part::Selector(selection) => pick(
            locale,
            format!(
                "The latest sample, at most 5m old, of {}.",
                selection_text(locale, selection)
            ),
            format!(
                "Le dernier échantillon, de 5m au plus, de {}.",
                selection_text(locale, selection)
            ),
        ),
        Part::Range { selection, range } => pick(
            locale,
            format!(
                "Every sample of the last {range} of {}: a range vector, for a function such as `rate`.",
                selection_text(locale, selection)
            ),
            format!(
                "Tous les échantillons des {range} dernières de {} : un vecteur de plage, pour une fonction comme `rate`.",
                selection_text(locale, selection)
            ),
        ),
        Part::Subquery { range, step, shift } => {
            let step = step.clone().unwrap_or_else(|| "1m".into());
            pick(
                locale,
                format!(
                    "The inner query evaluated every {step} over the last {range}{}: a range vector.",
                    shift_text(locale, shift)
                ),
                format!(
                    "La requête intérieure évaluée toutes les {step} sur les {range} dernières{} : un vecteur de plage.",
                    shift_text(locale, shift)
                ),
            )
        }
        Part::Function { name } => function_text(locale, name),
        Part::Aggregation { op, grouping } => aggregation_text(locale, op, grouping),
        Part::Binary { op, class, .. } => operator_text(locale, op, *class),
    }
}

/// `text` with its `quoted` parts set as code.
fn rich(text: String) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(index, piece)| {
            if index % 2 == 1 {
                view! { <code class="mono">{piece.to_string()}</code> }.into_any()
            } else {
                piece.to_string().into_any()
            }
        })
        .collect_view()
}

fn kind_label(locale: Locale, part: &Part) -> String {
    let (en, fr) = match part {
        Part::Number(_) => ("number", "nombre"),
        Part::String => ("string", "chaîne"),
        Part::Parentheses => ("parentheses", "parenthèses"),
        Part::Negation => ("minus", "moins"),
        Part::Selector(_) => ("selector", "sélecteur"),
        Part::Range { .. } => ("range selector", "sélecteur de plage"),
        Part::Subquery { .. } => ("subquery", "sous-requête"),
        Part::Function { name } => return name.clone(),
        Part::Aggregation { op, .. } => return op.clone(),
        Part::Binary { op, .. } => return op.clone(),
    };
    pick(locale, en.into(), fr.into())
}

/// `count` and its noun, singular or plural: `(one, many)` per language.
fn count_text(locale: Locale, count: usize, en: (&str, &str), fr: (&str, &str)) -> String {
    let (one, many) = match locale {
        Locale::En => en,
        Locale::Fr => fr,
    };
    format!("{count} {}", if count == 1 { one } else { many })
}

const SERIES_EN: (&str, &str) = ("series", "series");
const SERIES_FR: (&str, &str) = ("série", "séries");
const POINTS: (&str, &str) = ("point", "points");

fn outcome_view(locale: Locale, outcome: &Outcome) -> AnyView {
    let (class, text) = match outcome {
        Outcome::Scalar(value) => ("explain-count", value_text(*value)),
        Outcome::String(text) => ("explain-count", format!("{text:?}")),
        Outcome::Vector { count: 0, .. } => (
            "explain-count explain-empty",
            pick(locale, "no series".into(), "aucune série".into()),
        ),
        Outcome::Vector { count, .. } => (
            "explain-count",
            count_text(locale, *count, SERIES_EN, SERIES_FR),
        ),
        Outcome::Matrix { count, points, .. } => (
            if *count == 0 {
                "explain-count explain-empty"
            } else {
                "explain-count"
            },
            format!(
                "{}, {}",
                count_text(locale, *count, SERIES_EN, SERIES_FR),
                count_text(locale, *points, POINTS, POINTS)
            ),
        ),
        Outcome::Error(_) => (
            "explain-count explain-failed",
            pick(locale, "error".into(), "erreur".into()),
        ),
        Outcome::NotEvaluated => (
            "explain-count explain-skipped",
            pick(locale, "not evaluated".into(), "non évaluée".into()),
        ),
    };
    view! { <span class=class>{text}</span> }.into_any()
}

fn results_view(locale: Locale, outcome: &Outcome) -> Option<AnyView> {
    let rows: Vec<(String, String)> = match outcome {
        Outcome::Vector { sample, .. } => sample
            .iter()
            .map(|s| (s.labels.to_string(), value_text(s.value)))
            .collect(),
        Outcome::Matrix { sample, .. } => sample
            .iter()
            .map(|(labels, points, last)| {
                (
                    labels.to_string(),
                    pick(
                        locale,
                        format!("{points} points, latest {}", value_text(*last)),
                        format!("{points} points, dernier {}", value_text(*last)),
                    ),
                )
            })
            .collect(),
        Outcome::Error(message) => {
            return Some(
                view! { <p class="problem problem-error explain-error">{message.clone()}</p> }
                    .into_any(),
            );
        }
        _ => return None,
    };
    if rows.is_empty() {
        return None;
    }
    Some(
        view! {
            <table class="explain-results">
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(labels, value)| {
                            view! {
                                <tr>
                                    <td class="mono">{labels}</td>
                                    <td class="num mono">{value}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    )
}

fn node_view(locale: Locale, node: ExplainNode) -> AnyView {
    let text = if node.text.len() > TEXT_SHOWN {
        let mut end = TEXT_SHOWN;
        while !node.text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &node.text[..end])
    } else {
        node.text.clone()
    };
    let matching = match &node.part {
        Part::Binary {
            matching: Some(matching),
            ..
        } => Some(matching.clone()),
        _ => None,
    };
    let matching_view = matching.map(|matching| {
        let unmatched = [
            (matching.left_unmatched_example.clone(), "left", "gauche"),
            (matching.right_unmatched_example.clone(), "right", "droite"),
        ]
        .into_iter()
        .filter_map(|(labels, en, fr)| {
            let labels = labels?;
            let side = pick(locale, en.into(), fr.into());
            let lead = pick(
                locale,
                format!("No partner on the other side for this {side} series, matched on"),
                format!(
                    "Pas de partenaire de l'autre côté pour cette série de {side}, appariée sur"
                ),
            );
            Some(view! { <li>{lead} " " <code class="mono">{labels.to_string()}</code></li> })
        })
        .collect_view();
        view! {
            <div class="explain-matching" data-testid="explain-matching">
                <p>{rich(matching_text(locale, &matching))}</p>
                <ul>{unmatched}</ul>
            </div>
        }
    });
    let children = node
        .children
        .into_iter()
        .map(|child| node_view(locale, child))
        .collect_view();
    view! {
        <li class="explain-node">
            <div class="explain-part">
                <div class="explain-head">
                    <span class="explain-kind">{kind_label(locale, &node.part)}</span>
                    <code class="explain-text mono">{text}</code>
                    {outcome_view(locale, &node.outcome)}
                </div>
                <p class="explain-what">{rich(describe(locale, &node.part))}</p>
                {matching_view}
                {results_view(locale, &node.outcome)}
            </div>
            <ul class="explain-children">{children}</ul>
        </li>
    }
    .into_any()
}

/// The tree of `query`'s parts at the world's current instant, following the clock.
#[component]
pub fn ExplainTree(#[prop(into)] query: Signal<String>) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let locale = expect_context::<CurrentLocale>().0;
    let beat = refresh_beat(sim);
    let explanation = published(Memo::new(move |_| {
        beat.track();
        sim.explain(&query.get())
    }));
    move || {
        let locale = locale.get();
        explanation.with(|explanation| {
            let skipped = (explanation.parts_not_evaluated > 0).then(|| {
                let count = explanation.parts_not_evaluated;
                view! {
                    <p class="problem problem-warning">
                        {pick(
                            locale,
                            format!(
                                "{count} parts are listed without results: a query is explained up to {EXPLAIN_MAX_PARTS} parts.",
                            ),
                            format!(
                                "{count} parties sont listées sans résultat : une requête est expliquée jusqu'à {EXPLAIN_MAX_PARTS} parties.",
                            ),
                        )}
                    </p>
                }
            });
            let tree = explanation.root.clone().map(|root| {
                view! { <ul class="explain-tree">{node_view(locale, root)}</ul> }
            });
            view! {
                <div class="explain" data-testid="explain">
                    {skipped}
                    {tree}
                </div>
            }
        })
    }
}

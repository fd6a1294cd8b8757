//! A time-series panel drawn in SVG: lines per series, a time axis, a value axis, a legend with
//! the last values, and a hover line that reads every series at the pointer's time.

use leptos::prelude::*;
use opsdojo_engine::dashboard::{value_axis, Marker, Threshold, Unit};
use opsdojo_engine::promql::RangeSeries;
use opsdojo_engine::time::SimTime;

const FULL: (f64, f64) = (1000.0, 240.0);
/// The viewBox of a dashboard panel: narrower, so its text stays readable in a grid cell.
const COMPACT: (f64, f64) = (500.0, 200.0);
const LEFT: f64 = 58.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// The line colors, in legend order.
const PALETTE: [&str; 10] = [
    "#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
    "#508642", "#cca300",
];

/// A value with a unit-free SI suffix, as panel axes show it.
pub fn short_value(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 {
        "0".into()
    } else if !value.is_finite() || magnitude >= 1e12 {
        // Past a million millions, digits stop reading: `1.7e308`, as Grafana shows it.
        format!("{value:.1e}")
    } else if magnitude >= 1e6 {
        format!("{:.1}M", value / 1e6)
    } else if magnitude >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else if magnitude >= 10.0 {
        format!("{value:.0}")
    } else if magnitude >= 0.1 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// A value in a panel's unit: `120 ms`, `1.5 s`, `4.2%`, `35 req/s`.
pub fn format_value(unit: Option<Unit>, value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".into()
        } else {
            "∞".into()
        };
    }
    match unit {
        Some(Unit::Seconds) if value.abs() < 1.0 => format!("{:.0} ms", value * 1000.0),
        Some(Unit::Seconds) => format!("{value:.2} s"),
        Some(Unit::Ratio) => format!("{}%", short_value(value * 100.0)),
        Some(Unit::Percent) => format!("{}%", short_value(value)),
        Some(Unit::RequestsPerSecond) => format!("{} req/s", short_value(value)),
        // Pods and replicas are whole: `3`, not `3.00`.
        Some(Unit::Count) if value.fract() == 0.0 && value.abs() < 1e3 => format!("{value:.0}"),
        Some(Unit::Count) | None => short_value(value),
    }
}

fn clock(ms: i64) -> String {
    let text = SimTime(ms).to_string();
    text.rsplit(' ')
        .next()
        .map(|hms| hms[..5].to_string())
        .unwrap_or(text)
}

/// A graph of `series` between `start_ms` and `end_ms`.
#[component]
pub fn TimeSeriesChart(
    /// The series to draw.
    #[prop(into)]
    series: Signal<Vec<RangeSeries>>,
    /// The left edge of the time axis.
    #[prop(into)]
    start_ms: Signal<i64>,
    /// The right edge of the time axis.
    #[prop(into)]
    end_ms: Signal<i64>,
    /// How values read; plain numbers when absent.
    #[prop(optional, into)]
    unit: MaybeProp<Unit>,
    /// Horizontal lines, such as an alert's threshold.
    #[prop(optional, into)]
    thresholds: MaybeProp<Vec<Threshold>>,
    /// Vertical lines, such as alerts changing state.
    #[prop(optional, into)]
    markers: MaybeProp<Vec<Marker>>,
    /// Drawn for a grid cell rather than a full-width panel.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let (width, height) = if compact { COMPACT } else { FULL };
    let axis_format = move |value: f64| match unit.get() {
        Some(Unit::RequestsPerSecond) | None => short_value(value),
        other => format_value(other, value),
    };
    let hover = RwSignal::new(None::<f64>);
    let format = move |value: f64| format_value(unit.get(), value);
    let axis = Memo::new(move |_| {
        let points: Vec<f64> = series.with(|all| {
            all.iter()
                .flat_map(|s| s.points.iter().map(|point| point.1))
                .collect()
        });
        let thresholds = thresholds.get().unwrap_or_default();
        value_axis(points.into_iter().chain(thresholds.iter().map(|t| t.value)))
    });
    let bounds = move || axis.with(|axis| (axis.low, axis.high));
    let x_of = move |t: i64| {
        let (start, end) = (start_ms.get(), end_ms.get());
        LEFT + (t - start) as f64 / (end - start).max(1) as f64 * (width - LEFT - RIGHT)
    };
    // Values beyond the axis (past the range it can show) are drawn at its edge.
    let y_of = move |v: f64| {
        let (low, high) = bounds();
        let v = v.clamp(low, high);
        TOP + (1.0 - (v - low) / (high - low)) * (height - TOP - BOTTOM)
    };
    let paths = move || {
        series
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, s)| {
                let mut d = String::new();
                let mut previous: Option<i64> = None;
                let gap = (end_ms.get() - start_ms.get()) / 40;
                for (t, v) in s.points.iter().filter(|(_, v)| v.is_finite()) {
                    let command = if previous.is_some_and(|p| t - p <= gap.max(1)) { 'L' } else { 'M' };
                    d.push_str(&format!("{command}{:.1},{:.1} ", x_of(*t), y_of(*v)));
                    previous = Some(*t);
                }
                view! { <path d=d fill="none" stroke=PALETTE[index % PALETTE.len()] stroke-width="1.6"></path> }
            })
            .collect_view()
    };
    let y_ticks = move || {
        axis.get()
            .ticks
            .into_iter()
            .map(|value| {
                let y = y_of(value);
                view! {
                    <line x1=LEFT x2=width - RIGHT y1=y y2=y class="grid-line"></line>
                    <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end" class="axis-label">
                        {axis_format(value)}
                    </text>
                }
            })
            .collect_view()
    };
    let x_ticks = move || {
        let (start, end) = (start_ms.get(), end_ms.get());
        (0..=4)
            .map(|i| {
                let t = start + (end - start) * i / 4;
                let anchor = match i {
                    0 => "start",
                    4 => "end",
                    _ => "middle",
                };
                view! {
                    <text x=x_of(t) y=height - 6.0 text-anchor=anchor class="axis-label">
                        {clock(t)}
                    </text>
                }
            })
            .collect_view()
    };
    let on_move = move |event: leptos::ev::MouseEvent| {
        let Some(target) = event.current_target() else {
            return;
        };
        use wasm_bindgen::JsCast;
        let Ok(element) = target.dyn_into::<web_sys::Element>() else {
            return;
        };
        let rect = element.get_bounding_client_rect();
        let x = (f64::from(event.client_x()) - rect.left()) / rect.width() * width;
        hover.set((LEFT..=width - RIGHT).contains(&x).then_some(x));
    };
    let hover_time = move || {
        hover.get().map(|x| {
            let (start, end) = (start_ms.get(), end_ms.get());
            start + ((x - LEFT) / (width - LEFT - RIGHT) * (end - start) as f64) as i64
        })
    };
    let legend = move || {
        let at = hover_time();
        series
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, s)| {
                let value = match at {
                    Some(t) => s
                        .points
                        .iter()
                        .min_by_key(|(pt, _)| (pt - t).abs())
                        .map(|(_, v)| *v),
                    None => s.points.last().map(|(_, v)| *v),
                };
                let name = if s.labels.is_empty() {
                    "{}".to_string()
                } else {
                    s.labels.to_string()
                };
                view! {
                    <li>
                        <span
                            class="swatch"
                            style=format!("background:{}", PALETTE[index % PALETTE.len()])
                        ></span>
                        <span class="legend-name mono">{name}</span>
                        <span class="legend-value mono">
                            {value.map(format).unwrap_or_default()}
                        </span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="chart" data-testid="chart">
            <svg
                viewBox=format!("0 0 {width} {height}")
                on:mousemove=on_move
                on:mouseleave=move |_| hover.set(None)
            >
                {y_ticks}
                {x_ticks}
                {move || {
                    let (start, end) = (start_ms.get(), end_ms.get());
                    markers
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|marker| (start..=end).contains(&marker.at_ms))
                        .map(|marker| {
                            let x = x_of(marker.at_ms);
                            view! {
                                <g class=format!("marker marker-{}", marker.kind.as_str())>
                                    <title>{marker.text.clone()}</title>
                                    <line x1=x x2=x y1=TOP y2=height - BOTTOM></line>
                                    <path d=format!("M{:.1},{TOP} l-5,-8 h10 z", x)></path>
                                </g>
                            }
                        })
                        .collect_view()
                }}
                {paths}
                {move || {
                    thresholds
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|threshold| {
                            let y = y_of(threshold.value);
                            view! {
                                <g class="threshold">
                                    <line x1=LEFT x2=width - RIGHT y1=y y2=y></line>
                                    <text x=width - RIGHT - 4.0 y=y - 5.0 text-anchor="end">
                                        {format!(
                                            "{} > {}",
                                            threshold.label,
                                            format(threshold.value),
                                        )}
                                    </text>
                                </g>
                            }
                        })
                        .collect_view()
                }}
                {move || {
                    hover
                        .get()
                        .map(|x| {
                            view! {
                                <line x1=x x2=x y1=TOP y2=height - BOTTOM class="hover-line"></line>
                            }
                        })
                }}
            </svg>
            <div class="legend-head mono">
                {move || hover_time().map(clock).unwrap_or_default()}
            </div>
            <ul class="legend" tabindex="0">
                {legend}
            </ul>
        </div>
    }
}

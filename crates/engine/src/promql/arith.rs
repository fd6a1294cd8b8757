//! Floating-point arithmetic done in Prometheus's own order of operations, so that results
//! print the same digits as promtool: compensated sums, means, variances, regressions, the
//! Go `math.Max`/`math.Min` rules for NaN, and the tolerance `histogram_quantile` gives
//! bucket counts that differ only by rounding.

/// One step of Kahan-Babuška (Neumaier) summation: the new sum and compensation.
pub(crate) fn kahan_inc(increment: f64, sum: f64, compensation: f64) -> (f64, f64) {
    let t = sum + increment;
    let compensation = if t.is_infinite() {
        0.0
    } else if sum.abs() >= increment.abs() {
        compensation + ((sum - t) + increment)
    } else {
        compensation + ((increment - t) + sum)
    };
    (t, compensation)
}

/// A compensated sum, as `sum` and `sum_over_time` compute it.
pub(crate) fn kahan_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, compensation) = values
        .into_iter()
        .fold((0.0, 0.0), |(sum, c), value| kahan_inc(value, sum, c));
    if sum.is_infinite() {
        sum
    } else {
        sum + compensation
    }
}

/// The mean as `avg` and `avg_over_time` compute it: a compensated sum divided at the end,
/// switching to an incremental mean once the sum would overflow.
pub(crate) fn mean(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else {
        return f64::NAN;
    };
    let (mut sum, mut compensation) = (first, 0.0);
    let mut mean = 0.0;
    let mut incremental = false;
    let mut count = 1.0;
    for (index, &value) in rest.iter().enumerate() {
        count = (index + 2) as f64;
        if !incremental {
            let (new_sum, new_compensation) = kahan_inc(value, sum, compensation);
            if !new_sum.is_infinite() {
                (sum, compensation) = (new_sum, new_compensation);
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            compensation /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, compensation) = kahan_inc(value / count, q * mean, q * compensation);
    }
    if incremental {
        mean + compensation
    } else {
        sum / count + compensation / count
    }
}

/// The population variance as the `stddev` and `stdvar` aggregations compute it (Welford).
pub(crate) fn variance(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else {
        return f64::NAN;
    };
    let mut count = 1.0;
    let mut mean = first;
    let mut m2 = if first.is_finite() { 0.0 } else { f64::NAN };
    for &value in rest {
        count += 1.0;
        let delta = value - mean;
        mean += delta / count;
        m2 += delta * (value - mean);
    }
    m2 / count
}

/// The population variance as `stddev_over_time` and `stdvar_over_time` compute it: Welford's
/// algorithm with both running values compensated.
pub(crate) fn variance_compensated(values: &[f64]) -> f64 {
    let (mut count, mut mean, mut mean_c, mut aux, mut aux_c) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &value in values {
        count += 1.0;
        let delta = value - (mean + mean_c);
        (mean, mean_c) = kahan_inc(delta / count, mean, mean_c);
        (aux, aux_c) = kahan_inc(delta * (value - (mean + mean_c)), aux, aux_c);
    }
    (aux + aux_c) / count
}

/// Least-squares slope and intercept at `intercept_time` (milliseconds), compensated, as
/// `deriv` and `predict_linear` compute them.
pub(crate) fn linear_regression(points: &[(i64, f64)], intercept_time: i64) -> (f64, f64) {
    let Some(&(_, first)) = points.first() else {
        return (f64::NAN, f64::NAN);
    };
    let mut n = 0.0;
    let (mut sum_x, mut c_x, mut sum_y, mut c_y) = (0.0, 0.0, 0.0, 0.0);
    let (mut sum_xy, mut c_xy, mut sum_x2, mut c_x2) = (0.0, 0.0, 0.0, 0.0);
    let mut constant_y = true;
    for (index, &(time, value)) in points.iter().enumerate() {
        if constant_y && index > 0 && value != first {
            constant_y = false;
        }
        n += 1.0;
        let x = (time - intercept_time) as f64 / 1e3;
        (sum_x, c_x) = kahan_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_inc(value, sum_y, c_y);
        (sum_xy, c_xy) = kahan_inc(x * value, sum_xy, c_xy);
        (sum_x2, c_x2) = kahan_inc(x * x, sum_x2, c_x2);
    }
    if constant_y {
        if first.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, first);
    }
    sum_x += c_x;
    sum_y += c_y;
    sum_xy += c_xy;
    sum_x2 += c_x2;
    let covariance = sum_xy - sum_x * sum_y / n;
    let variance = sum_x2 - sum_x * sum_x / n;
    let slope = covariance / variance;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// Go's `math.Max`: +Inf wins, then NaN, then the larger (+0 over -0).
pub(crate) fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins, then NaN, then the smaller (-0 over +0).
pub(crate) fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

/// Whether `a` and `b` differ by less than `epsilon` relative to their size (both NaN count
/// as equal), as Prometheus's `almost.Equal`.
pub(crate) fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let difference = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < f64::MIN_POSITIVE {
        return difference < epsilon * f64::MIN_POSITIVE;
    }
    difference / abs_sum.min(f64::MAX) < epsilon
}

/// Relative difference under which `histogram_quantile` treats neighbouring bucket counts as
/// equal: they differ by rounding, not by observations.
pub(crate) const BUCKET_TOLERANCE: f64 = 1e-12;

/// Makes cumulative bucket counts usable for interpolation: counts that differ from the
/// previous one only by rounding take its value, and any decrease is removed. Returns whether
/// a real decrease had to be removed (which Prometheus reports).
pub(crate) fn ensure_monotonic(counts: &mut [f64]) -> bool {
    let Some(&first) = counts.first() else {
        return false;
    };
    let mut forced = false;
    let mut previous = first;
    for count in counts.iter_mut().skip(1) {
        let current = *count;
        if current == previous {
            continue;
        }
        if almost_equal(previous, current, BUCKET_TOLERANCE) {
            *count = previous;
            continue;
        }
        if current < previous {
            *count = previous;
            forced = true;
            continue;
        }
        previous = current;
    }
    forced
}

/// Whether `a` and `b` are equal or one unit in the last place apart, as promtool's
/// `fuzzy_compare` accepts.
pub(crate) fn within_one_ulp(a: f64, b: f64) -> bool {
    a == b || next_toward(a, f64::NEG_INFINITY) == b || next_toward(a, f64::INFINITY) == b
}

/// Go's `math.Nextafter(x, y)`.
fn next_toward(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == y {
        x
    } else if x == 0.0 {
        f64::from_bits(1).copysign(y)
    } else if (y > x) == (x > 0.0) {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_divides_sum_and_compensation_separately() {
        let values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
        let (mut sum, mut c) = (values[0], 0.0);
        for v in &values[1..] {
            (sum, c) = kahan_inc(*v, sum, c);
        }
        assert_eq!(mean(&values), sum / 7.0 + c / 7.0);
        assert_eq!(mean(&[f64::MAX, f64::MAX, 0.0]), (2.0 / 3.0) * f64::MAX);
        assert!(mean(&[]).is_nan());
    }

    #[test]
    fn variances_agree_with_the_definition_on_exact_inputs() {
        assert_eq!(variance(&[1.0, 2.0, 3.0, 4.0]), 1.25);
        assert_eq!(variance_compensated(&[1.0, 2.0, 3.0, 4.0]), 1.25);
        assert!(variance(&[f64::INFINITY, 1.0]).is_nan());
    }

    #[test]
    fn regression_of_a_constant_is_flat_and_of_infinity_undefined() {
        assert_eq!(linear_regression(&[(0, 3.0), (1000, 3.0)], 0), (0.0, 3.0));
        let (slope, intercept) = linear_regression(&[(0, f64::INFINITY), (1000, f64::INFINITY)], 0);
        assert!(slope.is_nan() && intercept.is_nan());
        assert_eq!(linear_regression(&[(0, 1.0), (1000, 3.0)], 0), (2.0, 1.0));
    }

    #[test]
    fn go_min_and_max_propagate_nan() {
        assert!(go_max(f64::NAN, 1.0).is_nan());
        assert!(go_min(1.0, f64::NAN).is_nan());
        assert_eq!(go_max(f64::NAN, f64::INFINITY), f64::INFINITY);
        assert_eq!(go_min(f64::NEG_INFINITY, f64::NAN), f64::NEG_INFINITY);
        assert!(go_max(-0.0, 0.0).is_sign_positive());
        assert!(go_min(0.0, -0.0).is_sign_negative());
    }

    #[test]
    fn rounding_noise_between_buckets_is_ignored_but_decreases_are_reported() {
        let noisy = 0.1 + 0.2;
        let mut counts = [0.3, noisy, 1.0];
        assert!(!ensure_monotonic(&mut counts));
        assert_eq!(counts, [0.3, 0.3, 1.0]);
        let mut counts = [2.0, 1.0, 3.0];
        assert!(ensure_monotonic(&mut counts));
        assert_eq!(counts, [2.0, 2.0, 3.0]);
    }

    #[test]
    fn one_ulp_apart_is_fuzzy_equal_two_is_not() {
        let a = 0.625_f64;
        let up = f64::from_bits(a.to_bits() + 1);
        let up2 = f64::from_bits(a.to_bits() + 2);
        assert!(within_one_ulp(a, up) && within_one_ulp(up, a));
        assert!(!within_one_ulp(a, up2));
        assert!(!within_one_ulp(f64::NAN, f64::NAN));
        assert!(within_one_ulp(0.0, f64::from_bits(1)));
    }
}

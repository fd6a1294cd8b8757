//! What the world exposes to Prometheus: every series of the platform at this instant, and
//! the scrape that writes them into the store once per step.

use super::*;

impl World {
    /// The series the world exposes at this instant, as a Prometheus scrape would see them.
    pub fn series(&self) -> Vec<Sample> {
        // About as many as the last scrape exposed: the list is not grown step by step.
        let mut samples = Vec::with_capacity(self.last_scrape.len() + 64);
        samples.push(Sample::new(
            self.label_cache
                .get(&[("__name__", "opsdojo_sim_elapsed_seconds")]),
            self.elapsed().as_seconds_f64(),
        ));
        self.tools.expose(self, &mut samples);
        samples
    }

    /// Writes every exposed series into the store at the current instant, as a scrape does.
    pub(super) fn scrape(&mut self) {
        let t = self.now.epoch_ms();
        let series = self.series();
        // Most scrapes expose the very sets of the last one, in the same order (they come from
        // the label cache): each is written to the series the last scrape found for it.
        let unchanged = series.len() == self.last_scrape.len()
            && series
                .iter()
                .zip(&self.last_scrape)
                .all(|(sample, (labels, id))| {
                    sample.labels.is(labels) && self.store.is_series_of(*id, labels)
                });
        if unchanged {
            for (sample, (_, id)) in series.iter().zip(&self.last_scrape) {
                self.store.append_to(*id, t, sample.value);
            }
        } else {
            let mut written = rustc_hash::FxHashSet::default();
            written.reserve(series.len());
            let mut scraped = Vec::with_capacity(series.len());
            for sample in series {
                let id = self.store.series_id(&sample.labels);
                self.store.append_to(id, t, sample.value);
                written.insert(sample.labels.clone());
                scraped.push((sample.labels, id));
            }
            // A series that is no longer exposed (a terminated pod) ends with a staleness
            // marker.
            for (vanished, _) in &self.last_scrape {
                if !written.contains(vanished) {
                    self.store
                        .append(vanished, t, crate::promql::stale_marker());
                }
            }
            self.last_scrape = scraped;
        }
        self.tools.write_series(&mut self.store, self.now);
        self.store.enforce_retention();
    }
}

//! [`DispatchQueue`]: the one rule for "which job does this free worker take next", shared by
//! the runner's dispatcher and the plan's simulation, so that `flotilla plan` predicts the run
//! the runner makes.
//!
//! The rule: a free worker takes the first ready job (in queue order) that its slot may run;
//! with `on-workers` pins, the first of those that the fewest slots may run, so a pinned worker
//! does its own work before work any worker could take. Jobs are kept in one queue per pin set
//! (usually just one, for "any worker"), so picking costs O(pin sets), not O(queue).

use std::collections::VecDeque;

use crate::worker_slot::WorkerSlot;

/// Jobs waiting for a worker, in dispatch order.
#[derive(Clone, Debug)]
pub struct DispatchQueue<T> {
    groups: Vec<Group<T>>,
    /// Sequence numbers order jobs across groups: `push_back` counts up, `push_front` down.
    next_back: i64,
    next_front: i64,
    len: usize,
}

#[derive(Clone, Debug)]
struct Group<T> {
    /// The worker slots that may run these jobs; `None`: any.
    slots: Option<Vec<WorkerSlot>>,
    items: VecDeque<(i64, T)>,
}

impl<T> Default for DispatchQueue<T> {
    fn default() -> Self {
        Self {
            groups: Vec::new(),
            next_back: 0,
            next_front: -1,
            len: 0,
        }
    }
}

impl<T> DispatchQueue<T> {
    /// An empty queue.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many jobs wait.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no job waits.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn group(&mut self, slots: Option<&[WorkerSlot]>) -> &mut Group<T> {
        let at = match self.groups.iter().position(|g| g.slots.as_deref() == slots) {
            Some(at) => at,
            None => {
                self.groups.push(Group {
                    slots: slots.map(<[WorkerSlot]>::to_vec),
                    items: VecDeque::new(),
                });
                self.groups.len() - 1
            }
        };
        &mut self.groups[at]
    }

    /// Queues `item` last; `slots` are the worker slots that may run it (`None`: any).
    pub fn push_back(&mut self, item: T, slots: Option<&[WorkerSlot]>) {
        let seq = self.next_back;
        self.next_back += 1;
        self.len += 1;
        self.group(slots).items.push_back((seq, item));
    }

    /// Queues `item` first (retries and requeued work go ahead of everything else).
    pub fn push_front(&mut self, item: T, slots: Option<&[WorkerSlot]>) {
        let seq = self.next_front;
        self.next_front -= 1;
        self.len += 1;
        self.group(slots).items.push_front((seq, item));
    }

    /// The job `worker` takes now, by the rule above, among those `ready` accepts
    /// (a retry waiting out its back-off is not ready); `None` if it may run none of them.
    pub fn pick_next(&mut self, worker: WorkerSlot, ready: impl Fn(&T) -> bool) -> Option<T> {
        let (group, index, _) = self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.slots.as_ref().is_none_or(|slots| slots.contains(&worker)))
            .filter_map(|(gi, g)| {
                let (index, (seq, _)) = g.items.iter().enumerate().find(|(_, (_, item))| ready(item))?;
                let width = g.slots.as_ref().map_or(usize::MAX, Vec::len);
                Some((gi, index, (width, *seq)))
            })
            .min_by_key(|(_, _, key)| *key)?;
        self.len -= 1;
        self.groups[group].items.remove(index).map(|(_, item)| item)
    }

    /// Every waiting job, in no particular order (for reporting what never ran).
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.len = 0;
        self.groups
            .iter_mut()
            .flat_map(|g| g.items.drain(..).map(|(_, item)| item))
    }

    /// Every waiting job, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.groups.iter().flat_map(|g| g.items.iter().map(|(_, item)| item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(number: usize) -> WorkerSlot {
        WorkerSlot::new(number).unwrap()
    }

    #[test]
    fn unpinned_jobs_go_in_order_and_front_pushes_go_first() {
        let mut queue = DispatchQueue::new();
        queue.push_back(1, None);
        queue.push_back(2, None);
        queue.push_front(0, None);
        assert_eq!(queue.pick_next(w(1), |_| true), Some(0));
        assert_eq!(queue.pick_next(w(2), |_| true), Some(1));
        assert_eq!(queue.pick_next(w(1), |_| true), Some(2));
        assert_eq!(queue.pick_next(w(1), |_| true), None);
        assert!(queue.is_empty());
    }

    #[test]
    fn a_pinned_worker_takes_its_own_work_first_and_others_never_take_it() {
        let mut queue = DispatchQueue::new();
        queue.push_back("any", None);
        queue.push_back("pinned", Some(&[w(2)][..]));
        assert_eq!(queue.pick_next(w(1), |_| true), Some("any"));
        queue.push_back("any again", None);
        assert_eq!(queue.pick_next(w(1), |_| true), Some("any again"));
        assert_eq!(
            queue.pick_next(w(1), |_| true),
            None,
            "worker 1 may not run the pinned job"
        );
        assert_eq!(queue.pick_next(w(2), |_| true), Some("pinned"));
    }

    #[test]
    fn the_fewest_slots_win_before_queue_order() {
        let mut queue = DispatchQueue::new();
        queue.push_back("two slots", Some(&[w(1), w(2)][..]));
        queue.push_back("one slot", Some(&[w(1)][..]));
        queue.push_back("any", None);
        assert_eq!(queue.pick_next(w(1), |_| true), Some("one slot"));
        assert_eq!(queue.pick_next(w(1), |_| true), Some("two slots"));
        assert_eq!(queue.pick_next(w(1), |_| true), Some("any"));
    }

    #[test]
    fn jobs_that_are_not_ready_are_passed_over() {
        let mut queue = DispatchQueue::new();
        queue.push_back(("retry", false), None);
        queue.push_back(("fresh", true), None);
        assert_eq!(queue.pick_next(w(1), |(_, ready)| *ready), Some(("fresh", true)));
        assert_eq!(queue.pick_next(w(1), |(_, ready)| *ready), None);
        assert_eq!(queue.len(), 1);
    }
}

//! The pool against a reference model: any sequence of acquires, drops and
//! channel closes gives the same grants, the same refusals and the same
//! counts as a few lines of plain arithmetic.

use proptest::prelude::*;
use typestep::pool::{ChannelId, Lease, PoolError, Quotas, ResourceKind, ResourcePool};

const KINDS: [ResourceKind; 2] = [ResourceKind::HANDLES, ResourceKind::WORKER_THREADS];
const CAPACITY: [u64; 2] = [10, 4];
const QUOTA: [[Option<u64>; 2]; 3] = [[Some(6), None], [None, Some(2)], [Some(3), Some(3)]];

#[derive(Debug, Clone)]
enum Op {
    Acquire {
        channel: usize,
        kind: usize,
        units: u64,
    },
    Drop(usize),
    Close(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 0..2usize, 0..5u64).prop_map(|(channel, kind, units)| Op::Acquire { channel, kind, units }),
        3 => any::<usize>().prop_map(Op::Drop),
        1 => (0..3usize).prop_map(Op::Close),
    ]
}

/// The model: units per (channel, kind), open flags.
#[derive(Default)]
struct Model {
    used: [[u64; 2]; 3],
    closed: [bool; 3],
}

impl Model {
    fn total(&self, kind: usize) -> u64 {
        self.used.iter().map(|c| c[kind]).sum()
    }
}

proptest! {
    #[test]
    fn the_pool_matches_the_model(ops in prop::collection::vec(op(), 1..80)) {
        let pool = ResourcePool::builder()
            .capacity(KINDS[0], CAPACITY[0])
            .capacity(KINDS[1], CAPACITY[1])
            .build()
            .unwrap();
        let channels: Vec<ChannelId> = (0..3)
            .map(|c| {
                let mut quotas = Quotas::new();
                for k in 0..2 {
                    if let Some(q) = QUOTA[c][k] {
                        quotas = quotas.limit(KINDS[k], q);
                    }
                }
                pool.open_channel(format!("c{c}"), quotas).unwrap()
            })
            .collect();
        let mut model = Model::default();
        let mut leases: Vec<(usize, usize, Lease)> = Vec::new();
        for op in ops {
            match op {
                Op::Acquire { channel, kind, units } => {
                    let got = pool.acquire(channels[channel], KINDS[kind], units, "model");
                    let expected_ok = units > 0
                        && !model.closed[channel]
                        && QUOTA[channel][kind].is_none_or(|q| model.used[channel][kind] + units <= q)
                        && model.total(kind) + units <= CAPACITY[kind];
                    match got {
                        Ok(lease) => {
                            prop_assert!(expected_ok);
                            model.used[channel][kind] += units;
                            leases.push((channel, kind, lease));
                        }
                        Err(error) => {
                            prop_assert!(!expected_ok, "refused {error}");
                            let kind_ok = match error {
                                PoolError::ZeroUnits { .. } => units == 0,
                                PoolError::ChannelClosed { .. } => model.closed[channel],
                                PoolError::OverQuota { .. } => QUOTA[channel][kind].is_some(),
                                PoolError::Exhausted { available, .. } => available == CAPACITY[kind] - model.total(kind),
                                _ => false,
                            };
                            prop_assert!(kind_ok, "wrong refusal {error}");
                        }
                    }
                }
                Op::Drop(i) if !leases.is_empty() => {
                    let (channel, kind, lease) = leases.swap_remove(i % leases.len());
                    model.used[channel][kind] -= lease.units();
                }
                Op::Drop(_) => {}
                Op::Close(channel) => {
                    let report = pool.close_channel(channels[channel]).unwrap();
                    model.closed[channel] = true;
                    let held: u64 = model.used[channel].iter().sum();
                    prop_assert_eq!(report.leaks.iter().map(|l| l.units).sum::<u64>(), held);
                }
            }
            for (k, kind) in KINDS.iter().enumerate() {
                prop_assert_eq!(pool.in_use(*kind).unwrap(), model.total(k));
                for (c, channel) in channels.iter().enumerate() {
                    prop_assert_eq!(pool.channel_in_use(*channel, *kind).unwrap(), model.used[c][k]);
                }
            }
            let leaked: u64 = (0..3).filter(|&c| model.closed[c]).map(|c| model.used[c].iter().sum::<u64>()).sum();
            prop_assert_eq!(pool.leak_report().leaks.iter().map(|l| l.units).sum::<u64>(), leaked);
        }
        drop(leases);
        prop_assert!(pool.metrics().kinds.iter().all(|k| k.in_use == 0 && k.peak <= k.capacity));
    }
}

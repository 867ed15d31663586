//! Leases, quotas, exhaustion and the leak report of the `ResourcePool`.

use typestep::pool::{LeakedLease, PoolError, Quotas, ResourceKind, ResourcePool};

const BYTES: ResourceKind = ResourceKind::BUFFER_BYTES;
const THREADS: ResourceKind = ResourceKind::WORKER_THREADS;

fn pool() -> ResourcePool {
    ResourcePool::builder()
        .capacity(BYTES, 1000)
        .capacity(THREADS, 4)
        .build()
        .unwrap()
}

#[test]
fn a_dropped_lease_gives_its_units_back() {
    let pool = pool();
    let ch = pool.open_channel("audio", Quotas::new()).unwrap();
    let a = pool.acquire(ch, BYTES, 300, "frames").unwrap();
    let b = pool.acquire(ch, BYTES, 200, "frames").unwrap();
    assert_eq!(pool.in_use(BYTES).unwrap(), 500);
    assert_eq!(pool.channel_in_use(ch, BYTES).unwrap(), 500);
    drop(a);
    assert_eq!(pool.in_use(BYTES).unwrap(), 200);
    drop(b);
    assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    assert_eq!(pool.metrics().kinds[0].peak, 500);
}

#[test]
fn exhaustion_is_an_error_and_reserves_nothing() {
    let pool = pool();
    let ch = pool.open_channel("video", Quotas::new()).unwrap();
    let _held = pool.acquire(ch, BYTES, 900, "frames").unwrap();
    let err = pool.acquire(ch, BYTES, 101, "more").unwrap_err();
    assert_eq!(
        err,
        PoolError::Exhausted {
            kind: BYTES,
            requested: 101,
            available: 100,
            capacity: 1000
        }
    );
    assert_eq!(pool.in_use(BYTES).unwrap(), 900);
    assert_eq!(pool.metrics().kinds[0].refused, 1);
    // Exactly what is left still fits.
    let _rest = pool.acquire(ch, BYTES, 100, "rest").unwrap();
    assert_eq!(pool.in_use(BYTES).unwrap(), 1000);
}

#[test]
fn a_quota_limits_one_channel_but_not_the_others() {
    let pool = pool();
    let small = pool
        .open_channel("small", Quotas::new().limit(THREADS, 1))
        .unwrap();
    let big = pool.open_channel("big", Quotas::new()).unwrap();
    let _one = pool.acquire(small, THREADS, 1, "worker").unwrap();
    assert!(matches!(
        pool.acquire(small, THREADS, 1, "worker"),
        Err(PoolError::OverQuota {
            used: 1,
            quota: 1,
            requested: 1,
            ..
        })
    ));
    let _three = pool.acquire(big, THREADS, 3, "workers").unwrap();
    assert_eq!(pool.in_use(THREADS).unwrap(), 4);
}

#[test]
fn unknown_kinds_channels_and_zero_requests_are_errors() {
    let pool = pool();
    let ch = pool.open_channel("c", Quotas::new()).unwrap();
    let gpu = ResourceKind::new("gpu");
    assert_eq!(
        pool.acquire(ch, gpu, 1, "x").unwrap_err(),
        PoolError::UnknownKind { kind: gpu }
    );
    assert!(matches!(
        pool.acquire(ch, BYTES, 0, "x"),
        Err(PoolError::ZeroUnits { .. })
    ));
    assert!(matches!(
        pool.open_channel("d", Quotas::new().limit(gpu, 1)),
        Err(PoolError::UnknownKind { .. })
    ));
    assert!(matches!(
        pool.open_channel("c", Quotas::new()),
        Err(PoolError::DuplicateChannel { .. })
    ));
    assert!(matches!(
        ResourcePool::builder()
            .capacity(BYTES, 1)
            .capacity(BYTES, 2)
            .build(),
        Err(PoolError::DuplicateKind { .. })
    ));
    let other = pool.open_channel("e", Quotas::new()).unwrap();
    let stranger = ResourcePool::builder().capacity(BYTES, 1).build().unwrap();
    assert!(matches!(
        stranger.acquire(other, BYTES, 1, "x"),
        Err(PoolError::ForeignChannel { .. })
    ));
}

#[test]
fn the_leak_report_names_leases_held_by_closed_channels() {
    let pool = pool();
    let sensor = pool.open_channel("sensor", Quotas::new()).unwrap();
    let tidy = pool.open_channel("tidy", Quotas::new()).unwrap();
    let kept = pool
        .acquire(sensor, BYTES, 64, "calibration table")
        .unwrap();
    let returned = pool.acquire(sensor, THREADS, 1, "poller").unwrap();
    let tidy_lease = pool.acquire(tidy, THREADS, 1, "poller").unwrap();
    drop(returned);
    drop(tidy_lease);

    // Open channels are not leaks yet.
    assert!(pool.leak_report().is_empty());
    let closing = pool.close_channel(sensor).unwrap();
    assert!(pool.close_channel(tidy).unwrap().is_empty());
    assert_eq!(
        closing.leaks,
        vec![LeakedLease {
            channel: sensor,
            channel_name: "sensor".into(),
            lease: kept.id(),
            kind: BYTES,
            units: 64,
            purpose: "calibration table",
        }]
    );
    assert_eq!(pool.leak_report(), closing);
    assert!(pool
        .leak_report()
        .to_string()
        .contains("channel `sensor` lease 0: 64 buffer_bytes (calibration table)"));
    // A closed channel hands out nothing, and closing again is harmless.
    assert!(matches!(
        pool.acquire(sensor, BYTES, 1, "x"),
        Err(PoolError::ChannelClosed { .. })
    ));
    assert_eq!(pool.close_channel(sensor).unwrap(), closing);

    // A late return still gives the units back and clears the leak.
    drop(kept);
    assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    assert!(pool.leak_report().is_empty());
    // The name is free again for a new channel.
    assert!(pool.open_channel("sensor", Quotas::new()).is_ok());
}

#[test]
fn a_lease_can_outlive_the_pool_handle() {
    let pool = pool();
    let ch = pool.open_channel("c", Quotas::new()).unwrap();
    let lease = pool.channel(ch).unwrap().acquire(BYTES, 10, "x").unwrap();
    let observer = pool.clone();
    drop(pool);
    assert_eq!(observer.in_use(BYTES).unwrap(), 10);
    drop(lease);
    assert_eq!(observer.in_use(BYTES).unwrap(), 0);
}

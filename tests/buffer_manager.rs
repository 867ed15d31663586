//! The `BufferManager`: budget from the pool, recycling, per-channel stats,
//! and allocation-free steady state (counted with a counting allocator).

use std::io::Write;

use typestep::{
    buffer::{BufferError, BufferManager, BufferStats},
    pool::{PoolError, Quotas, ResourceKind, ResourcePool},
};

const BYTES: ResourceKind = ResourceKind::BUFFER_BYTES;

fn setup(capacity: u64) -> (ResourcePool, BufferManager) {
    let pool = ResourcePool::builder()
        .capacity(BYTES, capacity)
        .build()
        .unwrap();
    let manager = BufferManager::new(&pool, 256).unwrap();
    (pool, manager)
}

#[test]
fn steady_state_acquire_and_release_allocate_nothing() {
    let (pool, manager) = setup(4 * 256);
    let channel = pool.open_channel("audio", Quotas::new()).unwrap();
    let buffers = manager.channel(channel).unwrap();
    // Warm up: the first buffers are allocated once.
    let warm: Vec<_> = (0..3).map(|_| buffers.acquire().unwrap()).collect();
    drop(warm);

    let info = allocation_counter::measure(|| {
        for round in 0..1000u32 {
            let mut a = buffers.acquire().unwrap();
            let mut b = buffers.acquire().unwrap();
            a.extend_from_slice(&round.to_le_bytes()).unwrap();
            b.extend_from_slice(b"frame").unwrap();
            drop(a);
            drop(b);
        }
    });
    assert_eq!(info.count_total, 0, "steady state allocated: {info:?}");
    let stats = buffers.stats();
    assert_eq!(stats.acquired, 3 + 2000);
    assert_eq!(stats.recycled, 2000);
    assert_eq!(manager.metrics().allocated, 3);
}

#[test]
fn without_a_thread_cache_the_steady_state_allocates_nothing_either() {
    let (pool, manager) = setup(4 * 256);
    let manager = manager.with_thread_cache(0);
    let channel = pool.open_channel("control", Quotas::new()).unwrap();
    let buffers = manager.channel(channel).unwrap();
    drop(buffers.acquire().unwrap());

    // Every release goes back through the channel and the pool.
    let info = allocation_counter::measure(|| {
        for round in 0..1000u32 {
            let mut a = buffers.acquire().unwrap();
            a.extend_from_slice(&round.to_le_bytes()).unwrap();
            drop(a);
        }
    });
    assert_eq!(info.count_total, 0, "steady state allocated: {info:?}");
    assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    assert_eq!(buffers.stats().recycled, 1000);
    assert_eq!(manager.metrics().allocated, 1);
}

#[test]
fn the_control_allocates_so_the_counter_works() {
    let info = allocation_counter::measure(|| {
        let v: Vec<u8> = Vec::with_capacity(256);
        std::hint::black_box(v);
    });
    assert_eq!(info.count_total, 1);
}

#[test]
fn buffers_draw_from_the_pool_budget_and_give_it_back() {
    let (pool, manager) = setup(3 * 256);
    let channel = pool.open_channel("video", Quotas::new()).unwrap();
    let held: Vec<_> = (0..3).map(|_| manager.acquire(channel).unwrap()).collect();
    assert_eq!(pool.in_use(BYTES).unwrap(), 768);
    assert!(matches!(
        manager.acquire(channel),
        Err(BufferError::Pool(PoolError::Exhausted {
            requested: 256,
            available: 0,
            ..
        }))
    ));
    drop(held);
    assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    assert!(manager.acquire(channel).is_ok());
}

#[test]
fn a_channel_quota_bounds_its_buffers() {
    let (pool, manager) = setup(10 * 256);
    let small = pool
        .open_channel("small", Quotas::new().limit(BYTES, 512))
        .unwrap();
    let big = pool.open_channel("big", Quotas::new()).unwrap();
    let _a = manager.acquire(small).unwrap();
    let _b = manager.acquire(small).unwrap();
    assert!(matches!(
        manager.acquire(small),
        Err(BufferError::Pool(PoolError::OverQuota { .. }))
    ));
    let _c = manager.acquire(big).unwrap();
}

#[test]
fn stats_are_kept_per_channel() {
    let (pool, manager) = setup(10 * 256);
    let audio = pool.open_channel("audio", Quotas::new()).unwrap();
    let video = pool.open_channel("video", Quotas::new()).unwrap();
    let a1 = manager.acquire(audio).unwrap();
    let a2 = manager.acquire(audio).unwrap();
    drop(a1);
    let a3 = manager.acquire(audio).unwrap(); // recycles a1
    let v1 = manager.acquire(video).unwrap(); // nothing idle: allocates
    assert_eq!(
        manager.stats(audio),
        Some(BufferStats {
            in_use: 2,
            cached: 0,
            peak: 2,
            acquired: 3,
            recycled: 1
        })
    );
    assert_eq!(
        manager.stats(video),
        Some(BufferStats {
            in_use: 1,
            cached: 0,
            peak: 1,
            acquired: 1,
            recycled: 0
        })
    );
    drop((a2, a3, v1));
    let metrics = manager.metrics();
    assert_eq!(metrics.allocated, 3);
    assert_eq!(metrics.idle, 3);
    assert_eq!(metrics.channels.len(), 2);
    assert_eq!(metrics.channels[0].name, "audio");
    assert_eq!(metrics.channels[0].stats.in_use, 0);
}

#[test]
fn a_recycled_buffer_comes_back_empty_and_writes_never_grow_it() {
    let (pool, manager) = setup(256);
    let channel = pool.open_channel("c", Quotas::new()).unwrap();
    let mut buffer = manager.acquire(channel).unwrap();
    buffer.extend_from_slice(&[7; 200]).unwrap();
    assert_eq!(
        buffer.extend_from_slice(&[7; 57]),
        Err(BufferError::Full {
            capacity: 256,
            len: 200,
            requested: 57
        })
    );
    assert_eq!(buffer.write(&[1; 100]).unwrap(), 56);
    assert_eq!(buffer.len(), 256);
    assert_eq!(buffer.remaining(), 0);
    drop(buffer);
    let again = manager.acquire(channel).unwrap();
    assert!(again.is_empty(), "no bytes leak from the previous holder");
    assert_eq!(again.capacity(), 256);
}

#[test]
fn a_buffer_dropped_on_another_thread_comes_home() {
    let (pool, manager) = setup(256);
    let channel = pool.open_channel("c", Quotas::new()).unwrap();
    let mut buffer = manager.acquire(channel).unwrap();
    buffer.extend_from_slice(b"payload").unwrap();
    let len = std::thread::spawn(move || buffer.len()).join().unwrap();
    assert_eq!(len, 7);
    assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    assert_eq!(manager.stats(channel).unwrap().in_use, 0);
}

#[test]
fn a_buffer_held_past_its_channel_close_is_a_named_leak() {
    let (pool, manager) = setup(1024);
    let channel = pool.open_channel("sensor", Quotas::new()).unwrap();
    let kept = manager.acquire(channel).unwrap();
    let report = pool.close_all();
    assert_eq!(report.leaks.len(), 1);
    assert_eq!(report.leaks[0].channel_name, "sensor");
    assert_eq!(report.leaks[0].purpose, "buffer");
    assert_eq!(report.units(BYTES), 256);
    assert!(matches!(
        manager.acquire(channel),
        Err(BufferError::Pool(PoolError::ChannelClosed { .. }))
    ));
    drop(kept);
    assert!(pool.leak_report().is_empty());
}

#[test]
fn a_manager_needs_a_byte_budget() {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::HANDLES, 1)
        .build()
        .unwrap();
    assert_eq!(
        BufferManager::new(&pool, 64).unwrap_err(),
        BufferError::NoBudget
    );
    let (pool, _) = setup(256);
    assert_eq!(
        BufferManager::new(&pool, 0).unwrap_err(),
        BufferError::ZeroSize
    );
}

#[test]
fn a_buffer_the_allocator_refuses_leaves_nothing_reserved() {
    // Within the budget and below `isize::MAX`, but more than any address
    // space: the allocator refuses it every time.
    let size = 1usize << 61;
    let pool = ResourcePool::builder()
        .capacity(BYTES, 1 << 62)
        .build()
        .unwrap();
    let manager = BufferManager::new(&pool, size).unwrap();
    let channel = pool.open_channel("huge", Quotas::new()).unwrap();
    for _ in 0..2 {
        assert_eq!(
            manager.acquire(channel).unwrap_err(),
            BufferError::OutOfMemory { size }
        );
        assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    }
    let stats = manager.stats(channel).unwrap();
    assert_eq!((stats.in_use, stats.acquired, stats.peak), (0, 0, 0));
    assert_eq!(manager.metrics().allocated, 0);
}

//! A 60-level lock order: the closure has 1770 ordered pairs, each level's
//! set of earlier levels a tree of 64 leaves; locking the first, a middle
//! and the last level in order compiles.
use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(l0 -> l1 -> l2 -> l3 -> l4 -> l5 -> l6 -> l7 -> l8 -> l9 -> l10 -> l11 -> l12 -> l13 -> l14 -> l15 -> l16 -> l17 -> l18 -> l19 -> l20 -> l21 -> l22 -> l23 -> l24 -> l25 -> l26 -> l27 -> l28 -> l29 -> l30 -> l31 -> l32 -> l33 -> l34 -> l35 -> l36 -> l37 -> l38 -> l39 -> l40 -> l41 -> l42 -> l43 -> l44 -> l45 -> l46 -> l47 -> l48 -> l49 -> l50 -> l51 -> l52 -> l53 -> l54 -> l55 -> l56 -> l57 -> l58 -> l59))]
struct Deep {
    l0: OrderedMutex<usize, deep::level::L0>,
    l1: OrderedMutex<usize, deep::level::L1>,
    l2: OrderedMutex<usize, deep::level::L2>,
    l3: OrderedMutex<usize, deep::level::L3>,
    l4: OrderedMutex<usize, deep::level::L4>,
    l5: OrderedMutex<usize, deep::level::L5>,
    l6: OrderedMutex<usize, deep::level::L6>,
    l7: OrderedMutex<usize, deep::level::L7>,
    l8: OrderedMutex<usize, deep::level::L8>,
    l9: OrderedMutex<usize, deep::level::L9>,
    l10: OrderedMutex<usize, deep::level::L10>,
    l11: OrderedMutex<usize, deep::level::L11>,
    l12: OrderedMutex<usize, deep::level::L12>,
    l13: OrderedMutex<usize, deep::level::L13>,
    l14: OrderedMutex<usize, deep::level::L14>,
    l15: OrderedMutex<usize, deep::level::L15>,
    l16: OrderedMutex<usize, deep::level::L16>,
    l17: OrderedMutex<usize, deep::level::L17>,
    l18: OrderedMutex<usize, deep::level::L18>,
    l19: OrderedMutex<usize, deep::level::L19>,
    l20: OrderedMutex<usize, deep::level::L20>,
    l21: OrderedMutex<usize, deep::level::L21>,
    l22: OrderedMutex<usize, deep::level::L22>,
    l23: OrderedMutex<usize, deep::level::L23>,
    l24: OrderedMutex<usize, deep::level::L24>,
    l25: OrderedMutex<usize, deep::level::L25>,
    l26: OrderedMutex<usize, deep::level::L26>,
    l27: OrderedMutex<usize, deep::level::L27>,
    l28: OrderedMutex<usize, deep::level::L28>,
    l29: OrderedMutex<usize, deep::level::L29>,
    l30: OrderedMutex<usize, deep::level::L30>,
    l31: OrderedMutex<usize, deep::level::L31>,
    l32: OrderedMutex<usize, deep::level::L32>,
    l33: OrderedMutex<usize, deep::level::L33>,
    l34: OrderedMutex<usize, deep::level::L34>,
    l35: OrderedMutex<usize, deep::level::L35>,
    l36: OrderedMutex<usize, deep::level::L36>,
    l37: OrderedMutex<usize, deep::level::L37>,
    l38: OrderedMutex<usize, deep::level::L38>,
    l39: OrderedMutex<usize, deep::level::L39>,
    l40: OrderedMutex<usize, deep::level::L40>,
    l41: OrderedMutex<usize, deep::level::L41>,
    l42: OrderedMutex<usize, deep::level::L42>,
    l43: OrderedMutex<usize, deep::level::L43>,
    l44: OrderedMutex<usize, deep::level::L44>,
    l45: OrderedMutex<usize, deep::level::L45>,
    l46: OrderedMutex<usize, deep::level::L46>,
    l47: OrderedMutex<usize, deep::level::L47>,
    l48: OrderedMutex<usize, deep::level::L48>,
    l49: OrderedMutex<usize, deep::level::L49>,
    l50: OrderedMutex<usize, deep::level::L50>,
    l51: OrderedMutex<usize, deep::level::L51>,
    l52: OrderedMutex<usize, deep::level::L52>,
    l53: OrderedMutex<usize, deep::level::L53>,
    l54: OrderedMutex<usize, deep::level::L54>,
    l55: OrderedMutex<usize, deep::level::L55>,
    l56: OrderedMutex<usize, deep::level::L56>,
    l57: OrderedMutex<usize, deep::level::L57>,
    l58: OrderedMutex<usize, deep::level::L58>,
    l59: OrderedMutex<usize, deep::level::L59>,
}

fn main() {
    let system = Deep::builder()
        .l0(|| OrderedMutex::new(0))
        .l1(|| OrderedMutex::new(1))
        .l2(|| OrderedMutex::new(2))
        .l3(|| OrderedMutex::new(3))
        .l4(|| OrderedMutex::new(4))
        .l5(|| OrderedMutex::new(5))
        .l6(|| OrderedMutex::new(6))
        .l7(|| OrderedMutex::new(7))
        .l8(|| OrderedMutex::new(8))
        .l9(|| OrderedMutex::new(9))
        .l10(|| OrderedMutex::new(10))
        .l11(|| OrderedMutex::new(11))
        .l12(|| OrderedMutex::new(12))
        .l13(|| OrderedMutex::new(13))
        .l14(|| OrderedMutex::new(14))
        .l15(|| OrderedMutex::new(15))
        .l16(|| OrderedMutex::new(16))
        .l17(|| OrderedMutex::new(17))
        .l18(|| OrderedMutex::new(18))
        .l19(|| OrderedMutex::new(19))
        .l20(|| OrderedMutex::new(20))
        .l21(|| OrderedMutex::new(21))
        .l22(|| OrderedMutex::new(22))
        .l23(|| OrderedMutex::new(23))
        .l24(|| OrderedMutex::new(24))
        .l25(|| OrderedMutex::new(25))
        .l26(|| OrderedMutex::new(26))
        .l27(|| OrderedMutex::new(27))
        .l28(|| OrderedMutex::new(28))
        .l29(|| OrderedMutex::new(29))
        .l30(|| OrderedMutex::new(30))
        .l31(|| OrderedMutex::new(31))
        .l32(|| OrderedMutex::new(32))
        .l33(|| OrderedMutex::new(33))
        .l34(|| OrderedMutex::new(34))
        .l35(|| OrderedMutex::new(35))
        .l36(|| OrderedMutex::new(36))
        .l37(|| OrderedMutex::new(37))
        .l38(|| OrderedMutex::new(38))
        .l39(|| OrderedMutex::new(39))
        .l40(|| OrderedMutex::new(40))
        .l41(|| OrderedMutex::new(41))
        .l42(|| OrderedMutex::new(42))
        .l43(|| OrderedMutex::new(43))
        .l44(|| OrderedMutex::new(44))
        .l45(|| OrderedMutex::new(45))
        .l46(|| OrderedMutex::new(46))
        .l47(|| OrderedMutex::new(47))
        .l48(|| OrderedMutex::new(48))
        .l49(|| OrderedMutex::new(49))
        .l50(|| OrderedMutex::new(50))
        .l51(|| OrderedMutex::new(51))
        .l52(|| OrderedMutex::new(52))
        .l53(|| OrderedMutex::new(53))
        .l54(|| OrderedMutex::new(54))
        .l55(|| OrderedMutex::new(55))
        .l56(|| OrderedMutex::new(56))
        .l57(|| OrderedMutex::new(57))
        .l58(|| OrderedMutex::new(58))
        .l59(|| OrderedMutex::new(59))
        .build();
    let mut chain = LockChain::start().unwrap();
    let mut locks = deep::Locked::new(&mut chain);
    let (first, mut locks) = locks.lock(&system.l0);
    let (middle, mut locks) = locks.lock(&system.l30);
    let (next, mut locks) = locks.lock(&system.l31);
    let (last, locks) = locks.lock(&system.l59);
    assert_eq!(locks.level_name(), "l59");
    assert_eq!(*first + *middle + *next + *last, 120);
    assert_eq!(Deep::LOCK_ORDER.len(), 59);
}

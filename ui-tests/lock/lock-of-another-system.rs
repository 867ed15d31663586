//! `Orders` belongs to `Shop`; locking it through `Bank`'s token is refused,
//! and the message says the lock belongs to another system.
use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(ledger -> audit))]
struct Bank {
    ledger: OrderedMutex<u32, bank::level::Ledger>,
    audit: OrderedMutex<u32, bank::level::Audit>,
}

#[derive(System)]
#[system(lock_order(orders))]
struct Shop {
    orders: OrderedMutex<u32, shop::level::Orders>,
}

fn main() {
    let bank = Bank::builder()
        .ledger(|| OrderedMutex::new(0))
        .audit(|| OrderedMutex::new(0))
        .build();
    let shop = Shop::builder().orders(|| OrderedMutex::new(0)).build();
    let mut chain = LockChain::start().unwrap();
    let mut locks = bank::Locked::new(&mut chain);
    let (_ledger, mut locks) = locks.lock(&bank.ledger);
    let (_orders, _locks) = locks.lock(&shop.orders);
}

use typestep::lock::LockChain;

fn main() {
    let chain = LockChain::start().unwrap();
    std::thread::spawn(move || drop(chain));
}

//! Black-box tests: they run the real `dom` binary on a random port against a temporary
//! data folder and talk to it as a client would.

mod cli;
mod health;
mod util;

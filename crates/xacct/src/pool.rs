//! Where the work runs: a rayon pool of at most [`MAX_THREADS`] threads, each with a stack deep
//! enough for trees at the ceiling of the nesting limit. When the system refuses the threads,
//! one thread does the work (and says so on stderr); when it refuses even that, the calling
//! thread does.

use xacct_input::limits::WORKER_STACK;

/// The most worker threads `--threads` may ask for.
pub const MAX_THREADS: u16 = 256;

/// Runs `work` on a pool of `threads` threads (default: one per core).
pub fn run<T: Send>(threads: Option<u16>, work: impl FnOnce() -> T + Send) -> T {
    let wanted = threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, usize::from(MAX_THREADS));
    let build = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .stack_size(WORKER_STACK)
            .thread_name(|i| format!("xacct-{i}"))
            .build()
    };
    let pool = build(wanted).or_else(|error| {
        if wanted > 1 {
            eprintln!("warning: cannot start {wanted} threads ({error}); running on one thread");
        }
        build(1)
    });
    match pool {
        Ok(pool) => pool.install(work),
        Err(error) => {
            eprintln!(
                "warning: cannot start a worker thread ({error}); running on the main thread"
            );
            work()
        }
    }
}

/// Replaces the default panic message (which would print whatever the panic said, raw) with
/// one escaped line: a panic is caught per file and reported as XA000, so stderr only needs to
/// say where it happened.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "xacct: internal error at {place}: {}",
            crate::escape::line(&message)
        );
    }));
}

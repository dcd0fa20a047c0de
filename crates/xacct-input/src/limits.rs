//! The limits xacct keeps so that no input can make it run out of memory, stack or time. Each
//! has a default that real setups stay far below, a ceiling that raising it cannot pass (what
//! the code is built to survive), and a key in `[limits]` of `xacct.toml`. A file that reaches
//! one gets an XA005 finding naming the limit and how to raise it; the other files are linted.
//! docs/robustness.md lists them; keep the two in step.

/// One limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Bytes of one file (checked on the open handle before anything is read).
    FileSize,
    /// Nesting of arrays and objects, and of intrinsic functions and the references they
    /// follow (`Ref` of a resource whose name is a `Ref`…).
    Depth,
    /// Bytes that YAML aliases may expand into, in one file.
    AliasBytes,
    /// Steps of CloudFormation intrinsic evaluation in one template: one for each function or
    /// value evaluated, one for each 16 bytes of text a function makes.
    EvalSteps,
    /// Characters of a source line shown around a finding (output only: nothing is skipped).
    LineWidth,
}

/// Every limit, in the order the docs list them.
pub const ALL: [Limit; 5] = [
    Limit::FileSize,
    Limit::Depth,
    Limit::AliasBytes,
    Limit::EvalSteps,
    Limit::LineWidth,
];

impl Limit {
    /// The key in `[limits]`.
    pub fn key(self) -> &'static str {
        match self {
            Limit::FileSize => "file-size",
            Limit::Depth => "depth",
            Limit::AliasBytes => "alias-bytes",
            Limit::EvalSteps => "eval-steps",
            Limit::LineWidth => "line-width",
        }
    }

    /// The limit whose key this is.
    pub fn from_key(key: &str) -> Option<Limit> {
        ALL.into_iter().find(|l| l.key() == key)
    }

    /// The default value.
    pub fn default_value(self) -> u64 {
        match self {
            // `aws iam get-account-authorization-details` of a large account runs to tens of
            // megabytes; templates are at most 1 MB (CloudFormation's own quota).
            Limit::FileSize => 128 * 1024 * 1024,
            Limit::Depth => xacct_syntax::json::DEFAULT_DEPTH as u64,
            // 16 MiB: far beyond any anchor use in a template, far below what hurts.
            Limit::AliasBytes => 16 * 1024 * 1024,
            Limit::EvalSteps => 2_000_000,
            Limit::LineWidth => 240,
        }
    }

    /// The most a config may raise it to.
    pub fn ceiling(self) -> u64 {
        match self {
            // Spans are `u32` byte offsets.
            Limit::FileSize => u64::from(u32::MAX),
            // Recursion over trees this deep stays within the worker threads' stacks
            // (`WORKER_STACK`); tests lint a file at this depth.
            Limit::Depth => xacct_syntax::json::MAX_DEPTH as u64,
            Limit::AliasBytes => 1024 * 1024 * 1024,
            Limit::EvalSteps => 1_000_000_000,
            Limit::LineWidth => 100_000,
        }
    }

    /// The help line of a finding that reached it.
    pub fn how_to_raise(self) -> String {
        format!(
            "if the file is trusted and really needs more, raise the limit in xacct.toml: `[limits]` `{} = N` (default {}, at most {})",
            self.key(),
            self.default_value(),
            self.ceiling()
        )
    }
}

/// Stack size of the threads that read, parse and load files: deep enough for trees of
/// [`Limit::Depth`]'s ceiling through every recursive pass (parse, evaluate, load, drop).
pub const WORKER_STACK: usize = 64 * 1024 * 1024;

/// The limits that apply to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// [`Limit::FileSize`].
    pub file_size: u64,
    /// [`Limit::Depth`].
    pub depth: u32,
    /// [`Limit::AliasBytes`].
    pub alias_bytes: u64,
    /// [`Limit::EvalSteps`].
    pub eval_steps: u64,
    /// [`Limit::LineWidth`].
    pub line_width: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_size: Limit::FileSize.default_value(),
            depth: Limit::Depth.default_value() as u32,
            alias_bytes: Limit::AliasBytes.default_value(),
            eval_steps: Limit::EvalSteps.default_value(),
            line_width: Limit::LineWidth.default_value() as u32,
        }
    }
}

/// A value for a limit that is zero or above its ceiling.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and {ceiling}")]
pub struct OutOfRange {
    /// The limit's key.
    pub key: &'static str,
    /// Its ceiling.
    pub ceiling: u64,
}

impl Limits {
    /// Sets one limit, within its ceiling.
    pub fn set(&mut self, limit: Limit, value: u64) -> Result<(), OutOfRange> {
        if value == 0 || value > limit.ceiling() {
            return Err(OutOfRange {
                key: limit.key(),
                ceiling: limit.ceiling(),
            });
        }
        match limit {
            Limit::FileSize => self.file_size = value,
            Limit::Depth => self.depth = value as u32,
            Limit::AliasBytes => self.alias_bytes = value,
            Limit::EvalSteps => self.eval_steps = value,
            Limit::LineWidth => self.line_width = value as u32,
        }
        Ok(())
    }

    /// The value of one limit.
    pub fn get(&self, limit: Limit) -> u64 {
        match limit {
            Limit::FileSize => self.file_size,
            Limit::Depth => u64::from(self.depth),
            Limit::AliasBytes => self.alias_bytes,
            Limit::EvalSteps => self.eval_steps,
            Limit::LineWidth => u64::from(self.line_width),
        }
    }

    /// What the parsers need of them.
    pub fn parse(&self) -> xacct_syntax::json::ParseLimits {
        xacct_syntax::json::ParseLimits {
            depth: self.depth as usize,
            alias_bytes: self.alias_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lie_within_ceilings_and_keys_round_trip() {
        for limit in ALL {
            assert!(limit.default_value() >= 1 && limit.default_value() <= limit.ceiling());
            assert_eq!(Limit::from_key(limit.key()), Some(limit));
            let mut limits = Limits::default();
            assert_eq!(limits.get(limit), limit.default_value());
            assert!(limits.set(limit, limit.ceiling() + 1).is_err());
            assert!(limits.set(limit, 0).is_err());
            limits.set(limit, limit.ceiling()).unwrap();
            assert_eq!(limits.get(limit), limit.ceiling());
        }
    }
}

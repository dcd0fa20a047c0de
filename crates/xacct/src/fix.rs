//! `xacct lint --fix` and `--diff`: which fixes of a run to apply, and the diff of a change.
//!
//! A finding's first fix of an allowed applicability is taken when every edit lands in a file
//! the run read and may write (inside the lint roots) and overlaps no edit taken already in
//! this round; the others wait for the next round, which lints the changed text again (as ruff
//! does). The edits of one fix are taken together or not at all.

use std::collections::BTreeMap;

use xacct_rules::{Applicability, Edit};
use xacct_syntax::FileId;

use crate::lint::LintRun;

/// How many times `--fix` lints, applies and lints again at most.
pub const MAX_ROUNDS: usize = 4;

/// The edits of one round: per file its new text, and how many findings they fix.
#[derive(Debug, Default)]
pub struct Round {
    /// Per file, the text with the round's edits applied.
    pub texts: BTreeMap<FileId, String>,
    /// The findings whose fix was taken.
    pub fixed: usize,
}

/// True when edit `a` and `b` would touch the same bytes (two insertions at one place count:
/// their order would be a guess).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

/// The fixes to apply in a run. `editable` says whether a file may be written.
pub fn plan(run: &LintRun, unsafe_fixes: bool, editable: impl Fn(FileId) -> bool) -> Round {
    let mut taken: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    let mut fixed = 0;
    for diagnostic in run.diagnostics() {
        let Some(fix) = diagnostic.fixes.iter().find(|f| {
            f.applicability == Applicability::Safe
                || (unsafe_fixes && f.applicability == Applicability::NeedsReview)
        }) else {
            continue;
        };
        // The same edits as a fix taken already (one suppression for every finding of a
        // resource): this finding is fixed by it too.
        let same_as_taken = !fix.edits.is_empty()
            && fix
                .edits
                .iter()
                .all(|e| taken.get(&e.file).is_some_and(|t| t.contains(&e)));
        if same_as_taken {
            fixed += 1;
            continue;
        }
        let fits = !fix.edits.is_empty()
            && fix.edits.iter().all(|e| {
                (e.file.0 as usize) < run.files.len()
                    && editable(e.file)
                    && run.source(e.file).text().get(e.span.range()).is_some()
                    && taken
                        .get(&e.file)
                        .is_none_or(|t| t.iter().all(|t| !overlaps(t, e)))
            })
            && fix.edits.iter().enumerate().all(|(i, a)| {
                fix.edits[..i]
                    .iter()
                    .all(|b| a.file != b.file || !overlaps(a, b))
            });
        if !fits {
            continue;
        }
        for edit in &fix.edits {
            taken.entry(edit.file).or_default().push(edit);
        }
        fixed += 1;
    }
    let texts = taken
        .into_iter()
        .filter_map(|(file, edits)| {
            let (text, skipped) = xacct_rules::fix::apply_edits(run.source(file).text(), &edits);
            (skipped == 0).then_some((file, text))
        })
        .collect();
    Round { texts, fixed }
}

/// The lines of a text, each with its line ending.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A shortest edit script between `a` and `b` (Myers): for each line of the result, whether it
/// is kept, removed (from `a`) or added (from `b`).
fn script<'t>(a: &[&'t str], b: &[&'t str]) -> Vec<(char, &'t str)> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let i = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[i - 1] < v[i + 1]) {
                v[i + 1]
            } else {
                v[i - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[i] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }
    // Walk back through the trace.
    let mut out = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let prev_k =
            if k == -d || (k != d && v[(k - 1 + offset) as usize] < v[(k + 1 + offset) as usize]) {
                k + 1
            } else {
                k - 1
            };
        let prev_x = v[(prev_k + offset) as usize];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            out.push((' ', a[(x - 1) as usize]));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                out.push(('+', b[(y - 1) as usize]));
            } else {
                out.push(('-', a[(x - 1) as usize]));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    out.reverse();
    out
}

/// A unified diff (`--- a/PATH`, `+++ b/PATH`, hunks with three lines of context) of `old` and
/// `new`; empty when they are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let (a, b) = (lines(old), lines(new));
    let ops = script(&a, &b);
    const CONTEXT: usize = 3;
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    // Positions of changes; hunks gather changes closer than twice the context.
    let changes: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].0 != ' ').collect();
    let mut i = 0;
    while i < changes.len() {
        let start = changes[i].saturating_sub(CONTEXT);
        let mut end = changes[i];
        while i + 1 < changes.len() && changes[i + 1] <= end + 2 * CONTEXT + 1 {
            i += 1;
            end = changes[i];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        // Line numbers where the hunk starts in each text.
        let before = &ops[..start];
        let old_start = before.iter().filter(|o| o.0 != '+').count() + 1;
        let new_start = before.iter().filter(|o| o.0 != '-').count() + 1;
        let hunk = &ops[start..end];
        let old_len = hunk.iter().filter(|o| o.0 != '+').count();
        let new_len = hunk.iter().filter(|o| o.0 != '-').count();
        let at = |start: usize, len: usize| if len == 0 { start - 1 } else { start };
        out.push_str(&format!(
            "@@ -{},{old_len} +{},{new_len} @@\n",
            at(old_start, old_len),
            at(new_start, new_len)
        ));
        for (op, line) in hunk {
            out.push(*op);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_has_hunks_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n";
        let new = "a\nb\nc\nd\nX\ne\nf\ng\nh\ni\nj\nk\nY\nl\n";
        assert_eq!(
            unified_diff("p.json", old, new),
            "--- a/p.json\n+++ b/p.json\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n e\n f\n g\n@@ -9,4 +10,5 @@\n i\n j\n k\n+Y\n l\n"
        );
    }

    #[test]
    fn a_changed_last_line_without_newline() {
        assert_eq!(
            unified_diff("p", "a\nb", "a\nc"),
            "--- a/p\n+++ b/p\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
        assert_eq!(unified_diff("p", "same", "same"), "");
    }
}

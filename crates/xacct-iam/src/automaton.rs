//! Wildcard matching in time linear in the text, for inputs too large for the simple matchers.
//!
//! The classic one-star backtracking of [`crate::pattern`] and a state-by-state automaton are
//! the fastest ways to match the short patterns and ARNs of real policies, but both cost
//! pattern × text in the worst case: `*aaa…ab*c` against a 400,000-character name is 10^8 steps
//! and more, which a hostile file can ask many times. Past a small size both hand over to this
//! bit-parallel automaton (Shift-And, with self-loops for stars): each character of the text
//! costs a few operations per 64 pattern items, so the work is text × ⌈pattern / 64⌉.

use std::collections::HashMap;

/// One item of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// This character.
    Lit(char),
    /// One character; a colon only when `colons`.
    One { colons: bool },
    /// Any run of characters, possibly empty; colons only when `colons`.
    Any { colons: bool },
}

/// Pattern × text sizes up to which the simple matchers are used (they are faster there).
pub(crate) const SIMPLE_UP_TO: usize = 1 << 14;

/// A set of automaton states, one bit each.
#[derive(Clone)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Bits {
        Bits(vec![0; len / 64 + 1])
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// True when `items` match the whole of `text`.
pub(crate) fn matches(items: &[Item], text: impl Iterator<Item = char>) -> bool {
    // Stars next to each other are one star (taking colons if either does): then no star
    // follows another, and the empty-match closure is one shift.
    let mut merged: Vec<Item> = Vec::with_capacity(items.len());
    for &item in items {
        match (merged.last_mut(), item) {
            (Some(Item::Any { colons: a }), Item::Any { colons: b }) => *a |= b,
            _ => merged.push(item),
        }
    }
    let states = merged.len() + 1;
    // State i: i items matched. `step[c]` holds bit i + 1 when item i takes character c.
    // `takes_*` hold bit i + 1 for the `?` items that take a colon or another character;
    // `stays_*` bit i for the stars that do.
    let mut literal: HashMap<char, Bits> = HashMap::new();
    let (mut takes_colon, mut takes_other) = (Bits::new(states), Bits::new(states));
    let (mut stays_colon, mut stays_other) = (Bits::new(states), Bits::new(states));
    let mut stars = Bits::new(states);
    for (i, item) in merged.iter().enumerate() {
        match *item {
            Item::Lit(c) => literal
                .entry(c)
                .or_insert_with(|| Bits::new(states))
                .set(i + 1),
            Item::One { colons } => {
                takes_other.set(i + 1);
                if colons {
                    takes_colon.set(i + 1);
                }
            }
            Item::Any { colons } => {
                stars.set(i);
                stays_other.set(i);
                if colons {
                    stays_colon.set(i);
                }
            }
        }
    }
    let mut current = Bits::new(states);
    current.set(0);
    close(&mut current, &stars);
    let empty = Bits::new(states);
    let mut next = Bits::new(states);
    for c in text {
        let lit = literal.get(&c).unwrap_or(&empty);
        let (takes, stays) = if c == ':' {
            (&takes_colon, &stays_colon)
        } else {
            (&takes_other, &stays_other)
        };
        let mut carry = 0;
        for w in 0..current.0.len() {
            let word = current.0[w];
            let shifted = (word << 1) | carry;
            carry = word >> 63;
            next.0[w] = (shifted & (lit.0[w] | takes.0[w])) | (word & stays.0[w]);
        }
        close(&mut next, &stars);
        if next.is_empty() {
            return false;
        }
        std::mem::swap(&mut current, &mut next);
    }
    current.get(merged.len())
}

/// A state before a star also stands after it (the star takes nothing). No star follows
/// another, so one shift of the star states settles it.
fn close(states: &mut Bits, stars: &Bits) {
    let mut carry = 0;
    for w in 0..states.0.len() {
        let at_star = states.0[w] & stars.0[w];
        states.0[w] |= (at_star << 1) | carry;
        carry = at_star >> 63;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(pattern: &str) -> Vec<Item> {
        pattern
            .chars()
            .map(|c| match c {
                '*' => Item::Any { colons: true },
                '?' => Item::One { colons: true },
                c => Item::Lit(c),
            })
            .collect()
    }

    /// The definition, by recursion, for small cases.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_definition(pattern in "[ab*?]{0,10}", text in "[ab]{0,12}") {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(matches(&items(&pattern), text.chars()), reference(&p, &t));
        }
    }

    #[test]
    fn long_patterns_span_words_and_colons_are_kept_apart() {
        let pattern = format!("*{}b*c", "a".repeat(150));
        let hit = format!("x{}bxc", "a".repeat(150));
        assert!(matches(&items(&pattern), hit.chars()));
        assert!(!matches(&items(&pattern), "a".repeat(400).chars()));
        let no_colon = [Item::Lit('x'), Item::Any { colons: false }, Item::Lit('y')];
        assert!(matches(&no_colon, "xaay".chars()));
        assert!(!matches(&no_colon, "xa:y".chars()));
        let one = [Item::One { colons: false }];
        assert!(!matches(&one, ":".chars()));
        assert!(matches(&one, "a".chars()));
    }
}

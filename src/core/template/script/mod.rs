//! Inside `<script>`: where a placeholder stands in the JavaScript, and what escaping makes its
//! value one literal. The lexer never guesses: where a `/` could start a regular expression or a
//! division and the grammar does not say which, both readings are followed, and a placeholder is
//! accepted only where every live reading puts it in the same place.

mod grammar;
mod lexer;
mod sinks;
mod strings;

use super::html::ScriptContent;
use super::position::Context;
use super::refusal::{Blame, Refusal};
use lexer::Lexer;

/// Readings followed at once; past this the rest of the script takes no placeholder.
const MAX_READINGS: usize = 8;

/// The JavaScript of one classic or module script, in every reading still possible.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Script {
    readings: Vec<Lexer>,
    /// Too many readings: no placeholder until the script ends.
    lost: bool,
    late: Option<Blame>,
}

impl ScriptContent for Script {
    fn start(module: bool) -> Self {
        Self {
            readings: vec![Lexer::new(module)],
            lost: false,
            late: None,
        }
    }

    fn push(&mut self, c: char, rest: &str) {
        if self.lost {
            return;
        }
        let mut forks = Vec::new();
        for reading in &mut self.readings {
            if let Some(other) = reading.push(c, rest) {
                forks.push(other);
            }
            if let Some(late) = reading.take_late() {
                self.late.get_or_insert(late);
            }
        }
        for fork in forks {
            if !self.readings.contains(&fork) {
                self.readings.push(fork);
            }
        }
        if self.readings.len() > 1 && forks_pending(&mut self.readings) > MAX_READINGS {
            self.lost = true;
            self.readings.truncate(1);
        }
    }

    fn place(&mut self, offset: usize, name: &str) -> Result<Context, Refusal> {
        if self.lost {
            return Err(Refusal::JsAmbiguous);
        }
        let mut placed: Vec<Result<Context, Refusal>> = self
            .readings
            .iter_mut()
            .map(|reading| reading.place(offset, name))
            .collect();
        match placed.pop() {
            // Readings that disagree, even on why not, leave the place unknown.
            Some(last) if placed.iter().all(|p| *p == last) => last,
            _ => Err(Refusal::JsAmbiguous),
        }
    }

    fn take_late(&mut self) -> Option<Blame> {
        self.late.take()
    }
}

/// Readings that became the same are followed once.
fn forks_pending(readings: &mut Vec<Lexer>) -> usize {
    let mut unique: Vec<Lexer> = Vec::with_capacity(readings.len());
    for reading in readings.drain(..) {
        if !unique.contains(&reading) {
            unique.push(reading);
        }
    }
    *readings = unique;
    readings.len()
}

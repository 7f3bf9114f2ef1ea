//! Just enough of the ECMAScript grammar to tell a regular expression from a division without
//! guessing (ECMA-262, 12: the lexical goal depends on the syntactic context): which token came
//! before, which bracket is open and what it opened (an `if` header, a block, an object literal,
//! a function body), and where statements start. Where the grammar cannot be followed this far,
//! the answer is [`Expect::Unknown`] and the script forks into both readings.

/// What kind of token the grammar expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// An operand: a `/` starts a regular expression.
    Operand,
    /// An operator: a `/` is a division.
    Operator,
    /// Either, as far as this lexer can tell.
    Unknown,
}

/// What an open `(` belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Paren {
    /// The header of `if`, `for`, `while`, `with`, `switch` or `catch`: a statement follows.
    Control,
    /// A function's parameters: its body follows. `true` for a function expression.
    Params(bool),
    /// A call or a grouping.
    Other,
}

/// What an open `{` belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Brace {
    Block,
    Object,
    /// A function or class body; `true` for an expression.
    Body(bool),
    /// A `${` substitution of a template literal.
    Substitution,
    /// An arrow function's body, a method's body, or anything this lexer cannot name.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Open {
    Paren(Paren),
    Bracket,
    Brace(Brace),
}

/// The previous significant token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Prev {
    Start,
    /// An identifier, keyword or number, and the name before a `.` when it was a member.
    Word {
        name: String,
        object: Option<String>,
    },
    /// A string, template, regular expression or a placeholder's literal.
    Literal,
    Dot,
    /// `++` or `--`, and whether it was postfix.
    Increment {
        postfix: bool,
    },
    Arrow,
    /// Any other punctuator.
    Punct(char),
    Close(Open),
}

/// Keywords after which an expression (so possibly a regular expression) follows.
const BEFORE_EXPRESSION: [&str; 12] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "extends",
];

/// Words that are keywords in some contexts and identifiers in others.
const CONTEXTUAL: [&str; 3] = ["yield", "await", "of"];

/// Keywords after which a statement starts.
pub(super) const BEFORE_STATEMENT: [&str; 4] = ["else", "do", "try", "finally"];

/// Keywords whose `(` opens a header after which a statement follows.
pub(super) const CONTROL: [&str; 6] = ["if", "for", "while", "with", "switch", "catch"];

impl Prev {
    /// What the grammar expects after this token.
    pub(super) fn expect(&self) -> Expect {
        match self {
            Prev::Start | Prev::Dot | Prev::Arrow | Prev::Punct(_) => Expect::Operand,
            Prev::Word {
                object: Some(_), ..
            }
            | Prev::Literal => Expect::Operator,
            Prev::Word { name, object: None } => {
                if BEFORE_EXPRESSION.contains(&name.as_str()) {
                    Expect::Operand
                } else if CONTEXTUAL.contains(&name.as_str()) {
                    Expect::Unknown
                } else {
                    Expect::Operator
                }
            }
            Prev::Increment { postfix } => {
                if *postfix {
                    Expect::Operator
                } else {
                    Expect::Operand
                }
            }
            Prev::Close(open) => match open {
                Open::Paren(Paren::Control) => Expect::Operand,
                Open::Paren(_) | Open::Bracket => Expect::Operator,
                Open::Brace(Brace::Block | Brace::Body(false)) => Expect::Operand,
                Open::Brace(Brace::Object | Brace::Body(true)) => Expect::Operator,
                Open::Brace(Brace::Substitution | Brace::Unknown) => Expect::Unknown,
            },
        }
    }

    /// The word, when the previous token was a non-member word.
    pub(super) fn word(&self) -> Option<&str> {
        match self {
            Prev::Word { name, object: None } => Some(name),
            _ => None,
        }
    }

    /// A statement starts after this token (when no bracket is open around it).
    pub(super) fn ends_statement(&self) -> bool {
        match self {
            Prev::Start | Prev::Punct(';') => true,
            Prev::Close(Open::Paren(Paren::Control)) => true,
            Prev::Close(Open::Brace(Brace::Block | Brace::Body(false))) => true,
            Prev::Word { name, object: None } => BEFORE_STATEMENT.contains(&name.as_str()),
            _ => false,
        }
    }
}

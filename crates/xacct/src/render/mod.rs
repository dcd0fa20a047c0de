//! Output formats. Each writes a whole run; none decides the exit status.

pub mod compact;
mod excerpt;
pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

//! Standard output and error as the binary hands them to the commands: a reader that closed
//! its end of a pipe (`git desk log | head -1`) has seen all it wanted, so a write that
//! fails with `BrokenPipe` succeeds and the rest of the output is dropped. Nothing panics on
//! a closed pipe, including writers outside this crate (clap_complete's `generate` panics on
//! any write error), and the command finishes its work and exits 0.

use std::io::{self, Write};

/// A writer that turns a closed pipe into a sink.
pub struct PipeSafe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeSafe<W> {
    pub fn new(inner: W) -> PipeSafe<W> {
        PipeSafe {
            inner,
            closed: false,
        }
    }

    /// True once the reader has gone away.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn absorb<T>(&mut self, result: io::Result<T>, instead: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(instead)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for PipeSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.absorb(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.absorb(r, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails as a closed pipe does.
    struct Pipe {
        room: usize,
        got: Vec<u8>,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.got.len() + buf.len() > self.room {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            self.got.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_swallows_the_rest_and_other_errors_pass() {
        let mut w = PipeSafe::new(Pipe {
            room: 4,
            got: vec![],
        });
        w.write_all(b"abc").unwrap();
        assert!(!w.closed());
        w.write_all(b"defgh").unwrap();
        w.write_all(b"more").unwrap();
        w.flush().unwrap();
        assert!(w.closed());
        assert_eq!(w.inner.got, b"abc");

        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = PipeSafe::new(Full);
        assert!(w.write_all(b"x").is_err());
        assert!(!w.closed());
    }
}

//! A lean HTTP/1.1 client for the watch part: a request built once as bytes, written to a raw
//! TCP stream, and a reader that takes just what a watcher needs from the answer (status,
//! `X-Consul-Index`, the whole `Content-Length` body). A thousand of them cost the bench far
//! less CPU than a full client per connection, on cores it shares with the agent; an answer
//! still only counts once all of it has been read.

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response read to its last body byte.
pub struct Reply {
    pub status: u16,
    /// `X-Consul-Index`, if present and numeric.
    pub index: Option<u64>,
    pub body: Vec<u8>,
}

/// The bytes of one request: `method path`, `Host` and, with a body, its length.
pub fn request(method: &str, path: &str, host: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    if !body.is_empty() || method != "GET" {
        r += &format!("Content-Length: {}\r\n", body.len());
    }
    r += "\r\n";
    let mut r = r.into_bytes();
    r.extend_from_slice(body);
    r
}

/// Writes `req` and reads its answer.
pub async fn exchange(stream: &mut TcpStream, req: &[u8]) -> Result<Reply> {
    stream.write_all(req).await.context("write request")?;
    read_reply(stream).await
}

/// Reads one whole response (no chunked bodies: the agent sends a length with every answer).
pub async fn read_reply(r: &mut (impl AsyncRead + Unpin)) -> Result<Reply> {
    let mut buf = Vec::with_capacity(8192);
    loop {
        if let Some(reply) = parse(&buf)? {
            return Ok(reply);
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(8192);
        }
        if r.read_buf(&mut buf).await.context("read response")? == 0 {
            bail!("connection closed after {} bytes of a response", buf.len());
        }
    }
}

/// The response in `buf` once it is complete; `None` while more is to come.
fn parse(buf: &[u8]) -> Result<Option<Reply>> {
    let Some(head_len) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..head_len]).context("response head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let (mut length, mut index) = (None, None);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<usize>().context("bad Content-Length")?);
        } else if name.eq_ignore_ascii_case("x-consul-index") {
            index = value.parse().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            bail!("chunked response: this reader needs Content-Length");
        }
    }
    let length = length.context("response without Content-Length")?;
    let body_at = head_len + 4;
    if buf.len() < body_at + length {
        return Ok(None);
    }
    Ok(Some(Reply {
        status,
        index,
        body: buf[body_at..body_at + length].to_vec(),
    }))
}

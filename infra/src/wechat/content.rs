//! `msg_sec_check` (version 2): WeChat's verdict on a text a user wants to publish, asked
//! under the author's openid, through the client's access token machinery.
//!
//! WeChat checks at most 2,500 characters at a time, so a longer text is checked in pieces
//! that overlap, so that a phrase cut at a piece's end is still seen whole in the next one.
//! The verdict on several texts is the most severe of their pieces'. Anything short of a
//! verdict (an errcode, a timeout, an answer without `result`) is unavailable: nothing goes
//! out unchecked.

use std::sync::Arc;

use anyhow::anyhow;
use futures_util::future::try_join_all;
use linli_identity::OpenId;
use linli_identity::ports::WechatFailure;
use linli_kernel::UserId;
use linli_kernel::ports::{ContentCheck, ContentCheckError, ContentVerdict};
use serde::Deserialize;

use super::client::WechatClient;
use crate::content::most_severe;
use crate::db::Database;

/// WeChat's limit on `content`: 2,500 characters (字).
pub const MAX_PIECE_CHARS: usize = 2500;
/// How much consecutive pieces of a long text share: a phrase shorter than this cut by one
/// piece's end is whole in the next.
pub const PIECE_OVERLAP_CHARS: usize = 100;
/// `scene` 3, 论坛 (a forum): residents' posts that others read.
const SCENE_FORUM: u8 = 3;

#[derive(Deserialize)]
struct SecCheckBody {
    /// The overall verdict; version 1 answered without it.
    result: Option<SecCheckResult>,
}

#[derive(Deserialize)]
struct SecCheckResult {
    suggest: String,
    /// What was found (100 normal, 20001 politics, …), for the log.
    #[serde(default)]
    label: Option<i64>,
}

impl WechatClient {
    /// WeChat's verdict on one piece of text (at most [`MAX_PIECE_CHARS`]) written by
    /// `openid`.
    async fn msg_sec_check(&self, openid: &OpenId, content: &str) -> Result<ContentVerdict, WechatFailure> {
        let body = serde_json::json!({
            "content": content,
            "version": 2,
            "scene": SCENE_FORUM,
            "openid": openid.as_str(),
        });
        let answer: SecCheckBody = self
            .call_with_token("msg_sec_check", "/wxa/msg_sec_check", &body)
            .await?;
        let result = answer.result.ok_or_else(|| {
            WechatFailure::Unavailable("msg_sec_check answered without a result".to_owned())
        })?;
        let verdict = match result.suggest.as_str() {
            "pass" => ContentVerdict::Pass,
            "review" => ContentVerdict::Review,
            "risky" => ContentVerdict::Risky,
            other => {
                return Err(WechatFailure::Unavailable(format!(
                    "msg_sec_check suggested {other:?}, which is none of pass, review, risky"
                )));
            }
        };
        if verdict != ContentVerdict::Pass {
            tracing::info!(suggest = %result.suggest, label = result.label, "msg_sec_check flagged a text");
        }
        Ok(verdict)
    }
}

/// The content check in production: WeChat's `msg_sec_check`, the author named by the
/// openid identity keeps for them.
///
/// Every user has an openid (the `users` row requires one; dev login users have the one they
/// typed), so the author is always named. WeChat knows the author only if they opened the
/// mini-program within two hours (61010 otherwise) under this app (40003 otherwise): a
/// resident posting from the mini-program always has. Those errcodes, like every other, are
/// unavailable rather than a verdict: WeChat did not look at the text. An author who is no
/// user at all is unavailable too, without calling WeChat.
#[derive(Clone)]
pub struct WechatContentCheck(Arc<Inner>);

struct Inner {
    client: WechatClient,
    users: Database,
}

impl std::fmt::Debug for WechatContentCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatContentCheck")
            .field("client", &self.0.client)
            .finish_non_exhaustive()
    }
}

impl WechatContentCheck {
    pub fn new(client: WechatClient, users: Database) -> Self {
        Self(Arc::new(Inner { client, users }))
    }
}

fn unavailable(error: impl Into<anyhow::Error>) -> ContentCheckError {
    ContentCheckError::Unavailable(error.into())
}

impl ContentCheck for WechatContentCheck {
    async fn check(&self, author: UserId, texts: &[&str]) -> Result<ContentVerdict, ContentCheckError> {
        let pieces: Vec<&str> = texts
            .iter()
            .filter(|text| !text.trim().is_empty())
            .flat_map(|text| pieces(text))
            .collect();
        if pieces.is_empty() {
            // WeChat refuses empty content (44004); there is nothing to publish in it either.
            return Ok(ContentVerdict::Pass);
        }
        let Inner { client, users } = &*self.0;
        let openid = users
            .openid_of(author)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| unavailable(anyhow!("the author {author} is not a user")))?;
        // All at once: a check takes one WeChat timeout however many pieces it has.
        let verdicts = try_join_all(pieces.iter().map(|piece| client.msg_sec_check(&openid, piece)))
            .await
            .map_err(|failure| unavailable(anyhow::Error::new(failure).context("msg_sec_check")))?;
        Ok(most_severe(verdicts))
    }
}

/// `text` in pieces WeChat accepts: whole if short enough, else windows of
/// [`MAX_PIECE_CHARS`] characters, each starting [`PIECE_OVERLAP_CHARS`] before the previous
/// one's end.
fn pieces(text: &str) -> Vec<&str> {
    let starts: Vec<usize> = text
        .char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = starts.len().saturating_sub(1);
    if chars <= MAX_PIECE_CHARS {
        return vec![text];
    }
    let byte = |char_at: usize| starts.get(char_at).copied().unwrap_or(text.len());
    let mut pieces = Vec::new();
    let mut from = 0;
    loop {
        let to = (from + MAX_PIECE_CHARS).min(chars);
        pieces.extend(text.get(byte(from)..byte(to)));
        if to == chars {
            return pieces;
        }
        from = to - PIECE_OVERLAP_CHARS;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_within_the_limit_is_one_piece() {
        assert_eq!(pieces("你好"), vec!["你好"]);
        let limit = "字".repeat(MAX_PIECE_CHARS);
        assert_eq!(pieces(&limit), vec![limit.as_str()]);
    }

    #[test]
    fn a_longer_text_is_cut_into_overlapping_pieces_on_character_boundaries() {
        // Multi-byte characters: a cut on a byte would panic or garble.
        let text: String = (0..6000).map(|i| char::from_u32(0x4e00 + i).unwrap()).collect();
        let cut = pieces(&text);
        let lengths: Vec<usize> = cut.iter().map(|p| p.chars().count()).collect();
        assert_eq!(lengths, vec![2500, 2500, 1200]);
        let skip = |n: usize| text.chars().skip(n).collect::<String>();
        assert!(skip(0).starts_with(cut[0]));
        assert!(
            skip(2400).starts_with(cut[1]),
            "each piece starts 100 before the last one ends"
        );
        assert_eq!(skip(4800), cut[2]);
    }

    #[test]
    fn a_phrase_across_a_cut_is_whole_in_some_piece() {
        let phrase = "违禁短语";
        let text = format!("{}{phrase}{}", "a".repeat(MAX_PIECE_CHARS - 2), "b".repeat(3000));
        assert!(
            !text
                .chars()
                .take(MAX_PIECE_CHARS)
                .collect::<String>()
                .contains(phrase)
        );
        assert!(pieces(&text).iter().any(|piece| piece.contains(phrase)));
    }
}

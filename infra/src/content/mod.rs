//! The content check (`linli_kernel::ports::ContentCheck`) as the api holds it: WeChat's
//! `msg_sec_check` when WeChat is configured, a configured word list otherwise (development).

mod local;

pub use local::LocalContentCheck;

use linli_kernel::UserId;
use linli_kernel::ports::{ContentCheck, ContentCheckError, ContentVerdict};

use crate::wechat::WechatContentCheck;

/// One concrete content check (the port is not object-safe), chosen at start-up.
#[derive(Clone, Debug)]
pub enum ContentChecker {
    WeChat(WechatContentCheck),
    Local(LocalContentCheck),
}

impl ContentCheck for ContentChecker {
    async fn check(&self, author: UserId, texts: &[&str]) -> Result<ContentVerdict, ContentCheckError> {
        match self {
            Self::WeChat(wechat) => wechat.check(author, texts).await,
            Self::Local(local) => local.check(author, texts).await,
        }
    }
}

/// The most severe of `verdicts` (`Risky` over `Review` over `Pass`); `Pass` for none.
pub(crate) fn most_severe(verdicts: impl IntoIterator<Item = ContentVerdict>) -> ContentVerdict {
    let rank = |verdict: &ContentVerdict| match verdict {
        ContentVerdict::Pass => 0,
        ContentVerdict::Review => 1,
        ContentVerdict::Risky => 2,
    };
    verdicts
        .into_iter()
        .max_by_key(rank)
        .unwrap_or(ContentVerdict::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContentVerdict::{Pass, Review, Risky};

    #[test]
    fn risky_outranks_review_outranks_pass_in_any_order() {
        assert_eq!(most_severe([]), Pass);
        assert_eq!(most_severe([Pass, Pass]), Pass);
        assert_eq!(most_severe([Pass, Review, Pass]), Review);
        assert_eq!(most_severe([Risky, Review, Pass]), Risky);
        assert_eq!(most_severe([Pass, Review, Risky]), Risky);
    }
}

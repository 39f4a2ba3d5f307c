//! The content check in development: configured words, found anywhere in a text whatever
//! their case (`LINLI_CONTENT_RISKY_WORDS`, `LINLI_CONTENT_REVIEW_WORDS`). It never fails and
//! needs nothing outside the process; with no words configured everything passes.

use std::sync::Arc;

use linli_kernel::UserId;
use linli_kernel::ports::{ContentCheck, ContentCheckError, ContentVerdict};

use super::most_severe;

#[derive(Clone, Debug, Default)]
pub struct LocalContentCheck {
    /// Lower-cased, none empty.
    risky: Arc<[String]>,
    review: Arc<[String]>,
}

/// The words of a comma-separated list (`,` or the full-width `，` a Chinese keyboard types),
/// trimmed and lower-cased, blanks dropped.
fn words(list: &str) -> Arc<[String]> {
    list.split([',', '，'])
        .map(str::trim)
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl LocalContentCheck {
    /// From the two comma-separated lists: a text containing a risky word is `Risky`, else
    /// one containing a review word is `Review`.
    pub fn from_lists(risky: &str, review: &str) -> Self {
        Self {
            risky: words(risky),
            review: words(review),
        }
    }

    pub fn word_counts(&self) -> (usize, usize) {
        (self.risky.len(), self.review.len())
    }

    fn verdict(&self, text: &str) -> ContentVerdict {
        let text = text.to_lowercase();
        let found = |words: &[String]| words.iter().any(|word| text.contains(word.as_str()));
        if found(&self.risky) {
            ContentVerdict::Risky
        } else if found(&self.review) {
            ContentVerdict::Review
        } else {
            ContentVerdict::Pass
        }
    }
}

impl ContentCheck for LocalContentCheck {
    async fn check(&self, _author: UserId, texts: &[&str]) -> Result<ContentVerdict, ContentCheckError> {
        Ok(most_severe(texts.iter().map(|text| self.verdict(text))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContentVerdict::{Pass, Review, Risky};

    async fn check(words: &LocalContentCheck, texts: &[&str]) -> ContentVerdict {
        words.check(UserId::new(), texts).await.unwrap()
    }

    #[tokio::test]
    async fn with_no_words_everything_passes() {
        let none = LocalContentCheck::from_lists("", " , ，");
        assert_eq!(none.word_counts(), (0, 0), "blank entries are no words");
        assert_eq!(check(&none, &["任何内容", "", "anything"]).await, Pass);
    }

    #[tokio::test]
    async fn a_word_anywhere_in_any_text_flags_it_whatever_its_case() {
        let words = LocalContentCheck::from_lists("赌博, Casino", "代购，FREE");
        assert_eq!(words.word_counts(), (2, 2));
        assert_eq!(check(&words, &["楼下有人代购奶粉"]).await, Review);
        assert_eq!(check(&words, &["网上赌博"]).await, Risky);
        assert_eq!(check(&words, &["CASINO night"]).await, Risky, "upper case text");
        assert_eq!(check(&words, &["free parking"]).await, Review, "lower case text");
        assert_eq!(check(&words, &["停车位出租", "电梯坏了"]).await, Pass);
    }

    #[tokio::test]
    async fn the_most_severe_text_decides_and_risky_wins_within_a_text() {
        let words = LocalContentCheck::from_lists("赌博", "代购");
        assert_eq!(check(&words, &["代购", "平常", "赌博"]).await, Risky);
        assert_eq!(check(&words, &["赌博", "代购"]).await, Risky);
        assert_eq!(check(&words, &["平常", "代购"]).await, Review);
        assert_eq!(check(&words, &["代购赌博"]).await, Risky);
    }
}

//! Access tokens: HS256 JWTs naming the user and the session, checked against the time the
//! domain gives (so expiry is testable) rather than the library's own clock.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, Duration, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use linli_identity::ports::{AccessTokens, TokenRejection};
use linli_identity::{AccessClaims, AccessToken};
use linli_kernel::{SessionId, UserId};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sm3::Sm3;
use zeroize::Zeroizing;

use crate::crypto::{DATA_KEY_BYTES, KeyRing};

const ISSUER: &str = "linli";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: uuid::Uuid,
    sid: uuid::Uuid,
    iat: i64,
    exp: i64,
    iss: String,
}

#[derive(Clone)]
pub struct JwtTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Built once: building it allocates, and it never changes.
    validation: Validation,
    verified: Arc<Verified>,
    ttl: Duration,
    /// Seals refresh successors for the reuse leeway: an SM4 key derived from the JWT secret
    /// (HMAC-SM3 under a label of its own), so it needs no configuration and changes with it.
    /// `None` only if the derivation failed, which it cannot: then no leeway is given.
    successors: Option<KeyRing>,
}

const SUCCESSOR_KEY_LABEL: &[u8] = b"linli refresh-successor key v1";
const SUCCESSOR_KEY_ID: &str = "jwt1";

fn successor_key_ring(secret: &[u8]) -> Option<KeyRing> {
    let mut mac = <Hmac<Sm3> as KeyInit>::new_from_slice(secret).ok()?;
    mac.update(SUCCESSOR_KEY_LABEL);
    let digest = Zeroizing::new(mac.finalize().into_bytes().to_vec());
    let key = Zeroizing::new(*digest.first_chunk::<DATA_KEY_BYTES>()?);
    KeyRing::new(SUCCESSOR_KEY_ID, &key).ok()
}

/// Beyond this many tokens the memo of verified ones starts again (after dropping the
/// expired ones); it refills as tokens are presented.
const VERIFIED_CAPACITY: usize = 50_000;

/// Tokens whose signature checked, by their whole text, with their claims and expiry. A token
/// never changes, so the next time it is presented it costs a look-up rather than an HMAC and
/// two JSON parses, most of what an authenticated request costs otherwise (see the README's
/// benchmarks). Only tokens that verified are kept, so nobody can fill it with forgeries, and
/// expiry is still checked on every use; whether the session stands is not decided here.
#[derive(Default)]
struct Verified {
    by_token: RwLock<HashMap<Box<str>, (AccessClaims, i64)>>,
}

impl Verified {
    fn get(&self, token: &str) -> Option<(AccessClaims, i64)> {
        let by_token = self.by_token.read().unwrap_or_else(PoisonError::into_inner);
        by_token.get(token).copied()
    }

    fn put(&self, token: &str, claims: AccessClaims, expires_at: i64, now: i64) {
        let mut by_token = self.by_token.write().unwrap_or_else(PoisonError::into_inner);
        if by_token.len() >= VERIFIED_CAPACITY {
            by_token.retain(|_, (_, exp)| *exp > now);
            if by_token.len() >= VERIFIED_CAPACITY / 2 {
                by_token.clear();
            }
        }
        by_token.insert(token.into(), (claims, expires_at));
    }
}

fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    // Expiry is checked against the domain's clock, below.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    validation
}

impl std::fmt::Debug for JwtTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtTokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl JwtTokens {
    pub fn new(secret: &SecretString, ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation: validation(),
            verified: Arc::default(),
            ttl,
            successors: successor_key_ring(bytes),
        }
    }

    /// Signs arbitrary claims: for tests that need a token expired or issued long ago.
    pub fn sign(
        &self,
        claims: AccessClaims,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: claims.user_id.as_uuid(),
            sid: claims.session_id.as_uuid(),
            iat: issued_at.timestamp(),
            exp: expires_at.timestamp(),
            iss: ISSUER.to_owned(),
        };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }
}

impl AccessTokens for JwtTokens {
    fn issue(&self, claims: AccessClaims, now: DateTime<Utc>) -> anyhow::Result<AccessToken> {
        Ok(AccessToken {
            token: self.sign(claims, now, now + self.ttl)?,
            expires_in_seconds: self.ttl.num_seconds(),
        })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenRejection> {
        let now = now.timestamp();
        let (claims, expires_at) = match self.verified.get(token) {
            Some(seen) => seen,
            None => {
                let data = decode::<Claims>(token, &self.decoding, &self.validation)
                    .map_err(|_| TokenRejection::Invalid)?;
                let claims = AccessClaims {
                    user_id: UserId::from_uuid(data.claims.sub),
                    session_id: SessionId::from_uuid(data.claims.sid),
                };
                if data.claims.exp > now {
                    self.verified.put(token, claims, data.claims.exp, now);
                }
                (claims, data.claims.exp)
            }
        };
        if expires_at <= now {
            return Err(TokenRejection::Expired);
        }
        Ok(claims)
    }

    fn seal_successor(&self, successor: &str, spent_hash: &str) -> anyhow::Result<String> {
        let ring = self
            .successors
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no key to seal refresh successors"))?;
        Ok(ring.seal(successor, &format!("refresh_tokens.successor:{spent_hash}"))?)
    }

    fn open_successor(&self, sealed: &str, spent_hash: &str) -> Option<String> {
        self.successors
            .as_ref()?
            .open(sealed, &format!("refresh_tokens.successor:{spent_hash}"))
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> JwtTokens {
        JwtTokens::new(
            &SecretString::from("a-test-secret-of-at-least-32-bytes!!"),
            Duration::minutes(15),
        )
    }

    fn claims() -> AccessClaims {
        AccessClaims {
            user_id: UserId::new(),
            session_id: SessionId::new(),
        }
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let tokens = tokens();
        let now = Utc::now();
        let issued = tokens.issue(claims(), now).unwrap();
        assert!(tokens.verify(&issued.token, now + Duration::minutes(14)).is_ok());
        assert_eq!(
            tokens.verify(&issued.token, now + Duration::minutes(15)),
            Err(TokenRejection::Expired)
        );
    }

    #[test]
    fn a_sealed_successor_opens_only_for_its_row_and_key() {
        let sealed = tokens().seal_successor("the-successor", "hash-a").unwrap();
        assert!(!sealed.contains("the-successor"));
        assert_eq!(
            tokens().open_successor(&sealed, "hash-a").as_deref(),
            Some("the-successor"),
            "another instance with the same secret opens it"
        );
        assert_eq!(tokens().open_successor(&sealed, "hash-b"), None);
        let other = JwtTokens::new(
            &SecretString::from("another-secret-of-at-least-32-bytes"),
            Duration::minutes(15),
        );
        assert_eq!(other.open_successor(&sealed, "hash-a"), None);
    }

    #[test]
    fn signing_the_same_claims_at_the_same_time_gives_the_same_token() {
        let (claims, now) = (claims(), Utc::now());
        assert_eq!(
            tokens().issue(claims, now).unwrap(),
            tokens().issue(claims, now).unwrap()
        );
    }

    #[test]
    fn a_token_verified_before_is_still_checked_whole_and_for_expiry() {
        let tokens = tokens();
        let (claims, now) = (claims(), Utc::now());
        let issued = tokens.issue(claims, now).unwrap();
        assert_eq!(tokens.verify(&issued.token, now), Ok(claims));
        assert_eq!(tokens.verify(&issued.token, now), Ok(claims), "from the memo");
        let (rest, signature) = issued.token.rsplit_once('.').unwrap();
        let altered = format!("{rest}.{}", signature.chars().rev().collect::<String>());
        assert_eq!(tokens.verify(&altered, now), Err(TokenRejection::Invalid));
        assert_eq!(
            tokens.verify(&format!("{}.", issued.token), now),
            Err(TokenRejection::Invalid)
        );
        assert_eq!(
            tokens.verify(&issued.token, now + Duration::minutes(15)),
            Err(TokenRejection::Expired),
            "a remembered token expires all the same"
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_invalid() {
        let other = JwtTokens::new(
            &SecretString::from("another-secret-of-at-least-32-bytes"),
            Duration::minutes(15),
        );
        let issued = other.issue(claims(), Utc::now()).unwrap();
        assert_eq!(
            tokens().verify(&issued.token, Utc::now()),
            Err(TokenRejection::Invalid)
        );
        assert_eq!(
            tokens().verify("not.a.token", Utc::now()),
            Err(TokenRejection::Invalid)
        );
    }
}

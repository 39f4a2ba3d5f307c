//! How a context documents its events' data for the spec: `event_data!` declares one
//! object per kind (strict: unknown fields refused), a union of them, and `conforms`, which a
//! context's test uses to hold every kind its domain makes to the documented shape.

/// `event_data! { Union; "kind" => Data { field: Type, … } … }`
macro_rules! event_data {
    ($union:ident; $( $(#[$doc:meta])* $kind:literal => $name:ident { $($(#[$fattr:meta])* $field:ident : $ty:ty),* $(,)? } )*) => {
        $(
            $(#[$doc])*
            #[derive(poem_openapi::Object, Debug)]
            #[oai(deny_unknown_fields)]
            pub struct $name {
                $($(#[$fattr])* pub $field: $ty,)*
            }
        )*

        /// The data of one of the context's events; the frame's `kind` says which.
        #[derive(poem_openapi::Union, Debug)]
        #[oai(one_of)]
        pub enum $union {
            $($name($name),)*
        }

        /// Whether `data` has the documented shape of `kind`.
        pub fn conforms(kind: &str, data: &serde_json::Value) -> Result<(), String> {
            use poem_openapi::types::ParseFromJSON;
            match kind {
                $($kind => <$name as ParseFromJSON>::parse_from_json(Some(data.clone()))
                    .map(|_| ())
                    .map_err(|e| format!("{kind}: {}", e.into_message())),)*
                other => Err(format!("`{other}` is not a documented event")),
            }
        }
    };
}
pub(crate) use event_data;

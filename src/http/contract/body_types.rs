//! The names the operations give their request bodies. Each is a marker type whose schema is a
//! placeholder: `bodies` and `public_bodies` build the real schema from the parsers' rules, and
//! `super::document` puts it in the placeholder's place (a test checks that none is left).
//! Request bodies are read field by field by the core's parsers, so there is no Rust struct
//! whose derive could state them; answers, which handlers serialise from structs, are derived.

/// The description every placeholder carries until `super::document` replaces it.
pub const PLACEHOLDER: &str = "built by http::contract::bodies";

macro_rules! body {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .description(Some(PLACEHOLDER))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

body!(
    /// `POST /admin/api/containers`.
    ContainerIn,
    /// `PATCH /admin/api/containers/{id}`.
    ContainerPatch,
    /// `POST /admin/api/containers/{id}/api-keys`.
    ApiKeyIn,
    /// `POST /admin/api/containers/{id}/erasures`.
    SubjectIn,
    /// `POST /admin/api/containers/{id}/connectors`.
    ConnectorIn,
    /// `PATCH /admin/api/connectors/{id}`.
    ConnectorPatch,
    /// `POST /admin/api/connectors/{id}/preview`.
    PreviewIn,
    /// `POST /admin/api/connectors/{id}/test`.
    TestIn,
    /// `POST /admin/api/events/{id}/status`.
    StatusChangeIn,
    /// `POST /admin/api/containers/{id}/events/status`.
    BulkStatusIn,
    /// `POST /admin/api/connectors/{id}/recover`.
    RecoverIn,
    /// `POST /admin/api/connectors/{id}/rotate-secret`.
    RotateSecretIn,
    /// `POST /e`.
    BrowserEventIn,
    /// `POST /webhooks/custom/{container}/{topic}` for the topics that name the event.
    CustomWebhookIn,
    /// `POST /webhooks/custom/{container}/custom`.
    CustomEventIn,
    /// `POST /webhook` with a JSON body.
    WebhookJsonIn,
    /// `POST /webhook` with a form body.
    WebhookFormIn,
);

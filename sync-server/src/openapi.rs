//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::api;

/// The API description served at `/api/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Daftar sync server", description = "Protocol version 1. Every /api/v1 request sends `Daftar-Protocol: 1`."),
    paths(
        api::login, api::logout, api::me,
        api::create_user, api::list_users, api::deactivate_user, api::activate_user, api::reset_password,
        api::create_survey, api::list_surveys, api::upload_questionnaire, api::set_survey_key,
        api::unlock_validation_key, api::lock_validation_key,
        api::import_assignments_csv, api::set_quota, api::get_quotas,
        api::create_enrolment_code, api::enrolment_qr, api::enrol_device, api::list_devices, api::revoke_device,
        api::create_assignment, api::list_assignments, api::reassign,
        api::upload, api::changes, api::report_progress,
        api::list_interviews, api::interview_detail, api::review,
        api::open_interview,
        api::audit_log,
        crate::health, crate::openapi_json,
    ),
    components(schemas(sync_proto::wire::ErrorBody, api::QrRequest, api::ResetPasswordRequest)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "device",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Device <token>`: the token received at enrolment",
            ))),
        );
    }
}

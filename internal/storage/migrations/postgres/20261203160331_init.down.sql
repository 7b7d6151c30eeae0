-- reverse: create "user_organizations" table
DROP TABLE "user_organizations";
-- reverse: create index "organizations_code_key" to table: "organizations"
DROP INDEX "organizations_code_key";
-- reverse: create "organizations" table
DROP TABLE "organizations";
-- reverse: create "user_form_spaces" table
DROP TABLE "user_form_spaces";
-- reverse: create index "two_factor_keys_user_id_key" to table: "two_factor_keys"
DROP INDEX "two_factor_keys_user_id_key";
-- reverse: create index "two_factor_keys_enrolment_token_hash_key" to table: "two_factor_keys"
DROP INDEX "two_factor_keys_enrolment_token_hash_key";
-- reverse: create "two_factor_keys" table
DROP TABLE "two_factor_keys";
-- reverse: create index "sessions_token_hash_key" to table: "sessions"
DROP INDEX "sessions_token_hash_key";
-- reverse: create index "session_user_id" to table: "sessions"
DROP INDEX "session_user_id";
-- reverse: create index "session_expires_at" to table: "sessions"
DROP INDEX "session_expires_at";
-- reverse: create "sessions" table
DROP TABLE "sessions";
-- reverse: create index "roleassignment_user_id_role_id" to table: "role_assignments"
DROP INDEX "roleassignment_user_id_role_id";
-- reverse: create index "roleassignment_role_id" to table: "role_assignments"
DROP INDEX "roleassignment_role_id";
-- reverse: create index "roleassignment_expires_at" to table: "role_assignments"
DROP INDEX "roleassignment_expires_at";
-- reverse: create "role_assignments" table
DROP TABLE "role_assignments";
-- reverse: create index "roles_name_key" to table: "roles"
DROP INDEX "roles_name_key";
-- reverse: create "roles" table
DROP TABLE "roles";
-- reverse: create index "passwordresettoken_user_id" to table: "password_reset_tokens"
DROP INDEX "passwordresettoken_user_id";
-- reverse: create index "password_reset_tokens_token_hash_key" to table: "password_reset_tokens"
DROP INDEX "password_reset_tokens_token_hash_key";
-- reverse: create "password_reset_tokens" table
DROP TABLE "password_reset_tokens";
-- reverse: create index "groupmembership_user_id_group_id" to table: "group_memberships"
DROP INDEX "groupmembership_user_id_group_id";
-- reverse: create index "groupmembership_group_id" to table: "group_memberships"
DROP INDEX "groupmembership_group_id";
-- reverse: create index "groupmembership_expires_at" to table: "group_memberships"
DROP INDEX "groupmembership_expires_at";
-- reverse: create "group_memberships" table
DROP TABLE "group_memberships";
-- reverse: create index "users_username_normalized_key" to table: "users"
DROP INDEX "users_username_normalized_key";
-- reverse: create index "user_status" to table: "users"
DROP INDEX "user_status";
-- reverse: create index "user_locked_until" to table: "users"
DROP INDEX "user_locked_until";
-- reverse: create index "user_last_name_first_name" to table: "users"
DROP INDEX "user_last_name_first_name";
-- reverse: create index "user_last_login_at" to table: "users"
DROP INDEX "user_last_login_at";
-- reverse: create index "user_email" to table: "users"
DROP INDEX "user_email";
-- reverse: create "users" table
DROP TABLE "users";
-- reverse: create index "groups_name_key" to table: "groups"
DROP INDEX "groups_name_key";
-- reverse: create "groups" table
DROP TABLE "groups";
-- reverse: create index "form_spaces_code_key" to table: "form_spaces"
DROP INDEX "form_spaces_code_key";
-- reverse: create "form_spaces" table
DROP TABLE "form_spaces";
-- reverse: create index "outboxmessage_status_next_attempt_at" to table: "outbox_messages"
DROP INDEX "outboxmessage_status_next_attempt_at";
-- reverse: create "outbox_messages" table
DROP TABLE "outbox_messages";
-- reverse: create index "auditevent_target_type_target_id_occurred_at" to table: "audit_events"
DROP INDEX "auditevent_target_type_target_id_occurred_at";
-- reverse: create index "auditevent_occurred_at" to table: "audit_events"
DROP INDEX "auditevent_occurred_at";
-- reverse: create index "auditevent_actor_id_occurred_at" to table: "audit_events"
DROP INDEX "auditevent_actor_id_occurred_at";
-- reverse: create index "auditevent_action_occurred_at" to table: "audit_events"
DROP INDEX "auditevent_action_occurred_at";
-- reverse: create "audit_events" table
DROP TABLE "audit_events";
-- reverse: create index "security_managers_name_key" to table: "security_managers"
DROP INDEX "security_managers_name_key";
-- reverse: create "security_managers" table
DROP TABLE "security_managers";

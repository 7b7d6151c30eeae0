-- create "audit_events" table
CREATE TABLE `audit_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `occurred_at` datetime NOT NULL, `actor_id` integer NULL, `actor_name` text NOT NULL, `action` text NOT NULL, `target_type` text NOT NULL, `target_id` integer NOT NULL, `changes` json NULL, `request_id` text NOT NULL DEFAULT (''));
-- create index "auditevent_target_type_target_id_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_target_type_target_id_occurred_at` ON `audit_events` (`target_type`, `target_id`, `occurred_at`);
-- create index "auditevent_actor_id_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_actor_id_occurred_at` ON `audit_events` (`actor_id`, `occurred_at`);
-- create index "auditevent_action_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_action_occurred_at` ON `audit_events` (`action`, `occurred_at`);
-- create index "auditevent_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_occurred_at` ON `audit_events` (`occurred_at`);
-- create "form_spaces" table
CREATE TABLE `form_spaces` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `name` text NOT NULL, `description` text NOT NULL DEFAULT (''), `security_manager_id` integer NOT NULL, CONSTRAINT `form_spaces_security_managers_security_manager` FOREIGN KEY (`security_manager_id`) REFERENCES `security_managers` (`id`) ON DELETE NO ACTION);
-- set sequence for "form_spaces" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("form_spaces", 4294967296);
-- create index "form_spaces_code_key" to table: "form_spaces"
CREATE UNIQUE INDEX `form_spaces_code_key` ON `form_spaces` (`code`);
-- create "groups" table
CREATE TABLE `groups` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `description` text NOT NULL DEFAULT (''), `type` text NOT NULL);
-- set sequence for "groups" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("groups", 8589934592);
-- create index "groups_name_key" to table: "groups"
CREATE UNIQUE INDEX `groups_name_key` ON `groups` (`name`);
-- create "group_memberships" table
CREATE TABLE `group_memberships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `assigned_at` datetime NOT NULL, `assigned_by` text NOT NULL DEFAULT (''), `expires_at` datetime NULL, `reminded_at` datetime NULL, `user_id` integer NOT NULL, `group_id` integer NOT NULL, CONSTRAINT `group_memberships_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `group_memberships_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE NO ACTION);
-- set sequence for "group_memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("group_memberships", 12884901888);
-- create index "groupmembership_user_id_group_id" to table: "group_memberships"
CREATE UNIQUE INDEX `groupmembership_user_id_group_id` ON `group_memberships` (`user_id`, `group_id`);
-- create index "groupmembership_group_id" to table: "group_memberships"
CREATE INDEX `groupmembership_group_id` ON `group_memberships` (`group_id`);
-- create index "groupmembership_expires_at" to table: "group_memberships"
CREATE INDEX `groupmembership_expires_at` ON `group_memberships` (`expires_at`);
-- create "organizations" table
CREATE TABLE `organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `name` text NOT NULL, `description` text NOT NULL DEFAULT (''));
-- set sequence for "organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organizations", 17179869184);
-- create index "organizations_code_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_code_key` ON `organizations` (`code`);
-- create "outbox_messages" table
CREATE TABLE `outbox_messages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `recipient` text NOT NULL, `subject` text NOT NULL, `body_text` text NOT NULL, `body_html` text NOT NULL, `attachments` json NULL, `status` text NOT NULL DEFAULT ('PENDING'), `attempts` integer NOT NULL DEFAULT (0), `last_error` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `next_attempt_at` datetime NOT NULL, `lease_until` datetime NULL, `sent_at` datetime NULL);
-- set sequence for "outbox_messages" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("outbox_messages", 21474836480);
-- create index "outboxmessage_status_next_attempt_at" to table: "outbox_messages"
CREATE INDEX `outboxmessage_status_next_attempt_at` ON `outbox_messages` (`status`, `next_attempt_at`);
-- create "password_reset_tokens" table
CREATE TABLE `password_reset_tokens` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` blob NOT NULL, `purpose` text NOT NULL DEFAULT ('RESET'), `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `used_at` datetime NULL, `user_id` integer NOT NULL, CONSTRAINT `password_reset_tokens_users_password_reset_tokens` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- set sequence for "password_reset_tokens" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("password_reset_tokens", 25769803776);
-- create index "password_reset_tokens_token_hash_key" to table: "password_reset_tokens"
CREATE UNIQUE INDEX `password_reset_tokens_token_hash_key` ON `password_reset_tokens` (`token_hash`);
-- create index "passwordresettoken_user_id" to table: "password_reset_tokens"
CREATE INDEX `passwordresettoken_user_id` ON `password_reset_tokens` (`user_id`);
-- create "roles" table
CREATE TABLE `roles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `description` text NOT NULL DEFAULT (''), `permissions` json NOT NULL, `organization_assignable` bool NOT NULL DEFAULT (false), `active` bool NOT NULL DEFAULT (true), `builtin` bool NOT NULL DEFAULT (false));
-- set sequence for "roles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("roles", 30064771072);
-- create index "roles_name_key" to table: "roles"
CREATE UNIQUE INDEX `roles_name_key` ON `roles` (`name`);
-- create "role_assignments" table
CREATE TABLE `role_assignments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `assigned_at` datetime NOT NULL, `assigned_by` text NOT NULL DEFAULT (''), `expires_at` datetime NULL, `reminded_at` datetime NULL, `user_id` integer NOT NULL, `role_id` integer NOT NULL, CONSTRAINT `role_assignments_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `role_assignments_roles_role` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION);
-- set sequence for "role_assignments" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("role_assignments", 34359738368);
-- create index "roleassignment_user_id_role_id" to table: "role_assignments"
CREATE UNIQUE INDEX `roleassignment_user_id_role_id` ON `role_assignments` (`user_id`, `role_id`);
-- create index "roleassignment_role_id" to table: "role_assignments"
CREATE INDEX `roleassignment_role_id` ON `role_assignments` (`role_id`);
-- create index "roleassignment_expires_at" to table: "role_assignments"
CREATE INDEX `roleassignment_expires_at` ON `role_assignments` (`expires_at`);
-- create "security_managers" table
CREATE TABLE `security_managers` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `is_default` bool NOT NULL DEFAULT (false), `two_factor_enabled` bool NOT NULL DEFAULT (false), `failed_login_limit` integer NOT NULL DEFAULT (5), `lockout_duration_seconds` integer NOT NULL DEFAULT (900), `permanent_lock_after` integer NOT NULL DEFAULT (3), `inactivity_deactivation_days` integer NULL, `password_min_length` integer NOT NULL DEFAULT (12), `password_max_length` integer NOT NULL DEFAULT (40), `password_require_digit` bool NOT NULL DEFAULT (true), `password_require_symbol` bool NOT NULL DEFAULT (true), `password_require_mixed_case` bool NOT NULL DEFAULT (true), `password_min_strength` integer NOT NULL DEFAULT (3), `password_history_size` integer NOT NULL DEFAULT (5));
-- set sequence for "security_managers" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("security_managers", 38654705664);
-- create index "security_managers_name_key" to table: "security_managers"
CREATE UNIQUE INDEX `security_managers_name_key` ON `security_managers` (`name`);
-- create "sessions" table
CREATE TABLE `sessions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` blob NOT NULL, `created_at` datetime NOT NULL, `last_seen_at` datetime NOT NULL, `authenticated_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `revoked_at` datetime NULL, `client_address` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `user_id` integer NOT NULL, CONSTRAINT `sessions_users_sessions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- set sequence for "sessions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("sessions", 42949672960);
-- create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
-- create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- create index "session_expires_at" to table: "sessions"
CREATE INDEX `session_expires_at` ON `sessions` (`expires_at`);
-- create "two_factor_keys" table
CREATE TABLE `two_factor_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `secret_ciphertext` blob NOT NULL, `state` text NOT NULL DEFAULT ('PENDING_CONFIRMATION'), `created_at` datetime NOT NULL, `confirmed_at` datetime NULL, `enrolment_token_hash` blob NULL, `enrolment_expires_at` datetime NULL, `failed_attempts` integer NOT NULL DEFAULT (0), `last_used_step` integer NOT NULL DEFAULT (0), `user_id` integer NOT NULL, CONSTRAINT `two_factor_keys_users_two_factor_key` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- set sequence for "two_factor_keys" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("two_factor_keys", 47244640256);
-- create index "two_factor_keys_enrolment_token_hash_key" to table: "two_factor_keys"
CREATE UNIQUE INDEX `two_factor_keys_enrolment_token_hash_key` ON `two_factor_keys` (`enrolment_token_hash`);
-- create index "two_factor_keys_user_id_key" to table: "two_factor_keys"
CREATE UNIQUE INDEX `two_factor_keys_user_id_key` ON `two_factor_keys` (`user_id`);
-- create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `username` text NOT NULL, `username_normalized` text NOT NULL, `user_type` text NOT NULL DEFAULT ('LOCAL'), `first_name` text NOT NULL DEFAULT (''), `last_name` text NOT NULL DEFAULT (''), `email` text NOT NULL, `mobile` text NULL, `phone` text NULL, `profile` json NOT NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `status_reason` text NULL, `status_changed_at` datetime NULL, `locked_until` datetime NULL, `must_change_password` bool NOT NULL DEFAULT (false), `two_factor_required` bool NOT NULL DEFAULT (false), `failed_login_attempts` integer NOT NULL DEFAULT (0), `consecutive_lockouts` integer NOT NULL DEFAULT (0), `last_login_at` datetime NULL, `password_changed_at` datetime NULL, `password_hash` text NULL, `password_history` json NULL, `version` integer NOT NULL DEFAULT (1));
-- set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 51539607552);
-- create index "users_username_normalized_key" to table: "users"
CREATE UNIQUE INDEX `users_username_normalized_key` ON `users` (`username_normalized`);
-- create index "user_status" to table: "users"
CREATE INDEX `user_status` ON `users` (`status`);
-- create index "user_email" to table: "users"
CREATE INDEX `user_email` ON `users` (`email`);
-- create index "user_last_name_first_name" to table: "users"
CREATE INDEX `user_last_name_first_name` ON `users` (`last_name`, `first_name`);
-- create index "user_locked_until" to table: "users"
CREATE INDEX `user_locked_until` ON `users` (`locked_until`);
-- create index "user_last_login_at" to table: "users"
CREATE INDEX `user_last_login_at` ON `users` (`last_login_at`);
-- create "user_organizations" table
CREATE TABLE `user_organizations` (`user_id` integer NOT NULL, `organization_id` integer NOT NULL, PRIMARY KEY (`user_id`, `organization_id`), CONSTRAINT `user_organizations_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE, CONSTRAINT `user_organizations_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- create "user_form_spaces" table
CREATE TABLE `user_form_spaces` (`user_id` integer NOT NULL, `form_space_id` integer NOT NULL, PRIMARY KEY (`user_id`, `form_space_id`), CONSTRAINT `user_form_spaces_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE, CONSTRAINT `user_form_spaces_form_space_id` FOREIGN KEY (`form_space_id`) REFERENCES `form_spaces` (`id`) ON DELETE CASCADE);

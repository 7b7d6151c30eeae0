ALTER TABLE "organizations" ADD COLUMN "notification_email" character varying NOT NULL DEFAULT '';

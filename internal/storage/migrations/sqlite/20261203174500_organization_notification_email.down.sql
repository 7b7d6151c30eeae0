ALTER TABLE `organizations` DROP COLUMN `notification_email`;

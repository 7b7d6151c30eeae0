ALTER TABLE `organizations` ADD COLUMN `notification_email` text NOT NULL DEFAULT ('');

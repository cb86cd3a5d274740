/**
 * CloudWatch's limits the stack's alarm settings are checked against, apart from the alarms
 * module so that config validation (infra/config.ts) needs no Pulumi provider to load.
 */

/**
 * The idle alarm evaluates hourly periods; CloudWatch caps an alarm's period × evaluation
 * periods at 7 days (604,800 s) for periods of an hour or more (PutMetricAlarm, Period), so
 * 168 hours. The one rule for config key idleAlarmHours.
 */
export const MAX_IDLE_ALARM_HOURS = 168;

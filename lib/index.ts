export * from './access-log-format';
export * from './gateway-responses';
export * from './mms-postback-receiver';
export * from './mms-postbacks-stack';
export * from './postback-event-schemas';
export * from './postback-monitoring';
export * from './stack-context';
export * from './status-unknown-sweep';

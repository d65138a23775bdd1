// What SES publishes to a topic when an SNS event destination is created for it (observed on AWS;
// applications special-case this message, so sesd sends the same words).
export const SNS_DESTINATION_VALIDATION_MESSAGE = 'Successfully validated SNS topic for Amazon SES event publishing.';

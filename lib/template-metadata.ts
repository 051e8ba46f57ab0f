/**
 * Template metadata keys the app writes and `npm run diff` reads (scripts/diff/plan.ts). One module without
 * dependencies, so that the diff does not load the constructs to know them. CloudFormation stores metadata
 * and acts on nothing in it.
 */

/** On a stack's template: producer stack name → digest of the resources of it this stack reads. */
export const PRODUCER_DIGEST_METADATA = 'scaled-app:producer-digests';

/** On the Aurora cluster or the `postgres` primary, when config allows its engine's major version to rise. */
export const ALLOW_MAJOR_UPGRADE_METADATA = 'scaled-app:allowMajorVersionUpgrade';

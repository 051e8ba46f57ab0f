/**
 * The answer a custom resource function gives CloudFormation itself: a PUT of the result to the event's
 * pre-signed S3 response URL (the functions here answer directly rather than through the CDK provider framework:
 * one function and one role each, in the stack's hands). Shared by the database identities and the schema
 * migration handlers.
 */

/** The part of a CloudFormation custom resource event that every handler here reads. */
export interface CustomResourceRequest<P> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken: string };
  /** On Update: the properties before the change. */
  readonly OldResourceProperties?: P & { readonly ServiceToken: string };
}

/** CloudFormation shows at most this much of a reason. */
const MAX_REASON = 1000;

/** The response document for `event`. */
export function responseBody(
  event: CustomResourceRequest<unknown>,
  status: 'SUCCESS' | 'FAILED',
  reason: string,
  physicalResourceId: string,
): string {
  return JSON.stringify({
    Status: status,
    Reason: reason.slice(0, MAX_REASON),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/** PUT `body` to the pre-signed URL (no content type, or the signature does not match). */
export async function putResponse(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation response: HTTP ${res.status}`);
}

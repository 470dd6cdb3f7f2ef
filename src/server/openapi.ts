/**
 * The OpenAPI 3.1 document of the API (GET /api/v1/openapi.json), generated from the zod schemas of
 * service/api-schemas.ts that the server validates with and the client reads with.
 */
import { z } from 'zod';
import {
  ApiError,
  AttackQuery,
  AttackResponse,
  AuditList,
  AuditView,
  FileList,
  Health,
  SubmitAuditBody,
  SubmitAuditResponse,
} from '../service/api-schemas.js';

const json = (schema: z.ZodType) => ({
  'application/json': { schema: z.toJSONSchema(schema, { io: 'output' }) },
});
const ok = (schema: z.ZodType, description: string) => ({ description, content: json(schema) });
const errors = {
  '400': { description: 'bad request or config (E_CONFIG at line:column)', content: json(ApiError) },
  '401': { description: 'no or unknown token', content: json(ApiError) },
  '403': { description: 'the token may not do this', content: json(ApiError) },
  '404': { description: 'no such audit or file', content: json(ApiError) },
};
const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const file = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
});

/** The document for mia-audit `version`. */
export function openApiDocument(version: string): unknown {
  return {
    openapi: '3.1.0',
    info: { title: 'mia-audit service', version, description: 'Privacy audits as jobs (docs/service.md).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/health': { get: { security: [], responses: { '200': ok(Health, 'the service') } } },
      '/api/v1/audits': {
        post: {
          summary: 'submit an audit: the config as YAML text (application/yaml) or in JSON',
          requestBody: {
            required: true,
            content: {
              ...json(SubmitAuditBody),
              'application/yaml': { schema: { type: 'string' } },
            },
          },
          responses: { '201': ok(SubmitAuditResponse, 'queued'), ...errors, '413': errors['400'] },
        },
        get: {
          summary: 'audits, newest first',
          parameters: ['status', 'experiment', 'limit', 'offset'].map((name) => ({
            name,
            in: 'query',
            schema: { type: name === 'limit' || name === 'offset' ? 'integer' : 'string' },
          })),
          responses: { '200': ok(AuditList, 'a page of audits'), ...errors },
        },
      },
      '/api/v1/audits/{id}': {
        get: { parameters: id, responses: { '200': ok(AuditView, 'the audit'), ...errors } },
        delete: { parameters: id, responses: { '204': { description: 'deleted' }, ...errors } },
      },
      '/api/v1/audits/{id}/cancel': {
        post: { parameters: id, responses: { '200': ok(AuditView, 'cancelled'), ...errors } },
      },
      '/api/v1/audits/{id}/events': {
        get: {
          summary: 'server-sent events: stage, progress, log, status',
          parameters: id,
          responses: { '200': { description: 'text/event-stream' }, ...errors },
        },
      },
      '/api/v1/audits/{id}/results': {
        get: { parameters: id, responses: { '200': file('results.json'), ...errors } },
      },
      '/api/v1/audits/{id}/report': {
        get: { parameters: id, responses: { '200': file('report.html'), ...errors } },
      },
      '/api/v1/audits/{id}/files': {
        get: { parameters: id, responses: { '200': ok(FileList, 'the run files'), ...errors } },
      },
      '/api/v1/attacks': {
        post: {
          summary: 'mia attack --input: the output attacks on an uploaded .npz / .csv / .json of outputs',
          parameters: Object.entries(z.toJSONSchema(AttackQuery, { io: 'input' }).properties ?? {}).map(
            ([name, schema]) => ({ name, in: 'query', required: name === 'file', schema }),
          ),
          requestBody: {
            required: true,
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: {
            '200': {
              description: 'the results',
              content: { 'application/json': { schema: z.toJSONSchema(AttackResponse, { io: 'input' }) } },
            },
            ...errors,
            '413': errors['400'],
          },
        },
      },
      '/api/v1/audits/{id}/files/{path}': {
        get: {
          parameters: [...id, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': file('the file'), ...errors },
        },
      },
    },
  };
}

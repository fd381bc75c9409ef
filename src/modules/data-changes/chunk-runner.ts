import { JobStop, type JobBody } from './job-body.js';

/** DC_CHUNK / DC_CRON_CLEAR: one statement in key-range batches (being written in this session). */
export const chunkBody: JobBody = async () => {
  throw new JobStop('FAIL', 'chunked execution is not implemented yet');
};

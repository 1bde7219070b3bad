package io.granary.core.job;

/**
 * One kind of job: the operation name a job shows ({@code tableImport}) and the type of the request it
 * runs. The request is stored with the job as JSON and read back as this type by the worker.
 */
public record JobOperation<R>(String name, Class<R> requestType) {
}

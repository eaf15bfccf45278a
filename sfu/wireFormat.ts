import type { types } from 'mediasoup';
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup-client/types';

// NOTE: mediasoup and mediasoup-client describe the same JSON with slightly
// different TypeScript types (a plain string where the client lists the
// known values, an optional field the client marks required). The values
// here are produced by mediasoup itself, so these only restate the type the
// browser side reads them with.

export const wireRtpCapabilities = (value: types.RtpCapabilities): RtpCapabilities =>
	value as RtpCapabilities;

export const wireRtpParameters = (value: types.RtpParameters): RtpParameters =>
	value as RtpParameters;

export const wireDtlsParameters = (value: types.DtlsParameters): DtlsParameters =>
	value as DtlsParameters;

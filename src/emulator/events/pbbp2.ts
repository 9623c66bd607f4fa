import protobuf from 'protobufjs';

/**
 * The long connection's frame (proto2 package `pbbp2`, as shipped in the official SDKs).
 * Built from JSON on a private Root so it never collides with the SDK's own copy.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: {
          fields: { key: { rule: 'required', type: 'string', id: 1 }, value: { rule: 'required', type: 'string', id: 2 } },
        },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payload_encoding: { type: 'string', id: 6 },
            payload_type: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});
const FrameType = root.lookupType('pbbp2.Frame');

/** `method`: 0 = control (ping/pong), 1 = data (events and their acks). */
export const FrameMethod = { control: 0, data: 1 } as const;

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

export function encodeFrame(frame: Frame): Uint8Array {
  return FrameType.encode(FrameType.fromObject(frame)).finish();
}

export function decodeFrame(bytes: Uint8Array): Frame {
  const o = FrameType.toObject(FrameType.decode(bytes), { longs: Number, defaults: true }) as Frame;
  return { ...o, headers: o.headers ?? [] };
}

export const header = (frame: Frame, key: string): string | undefined => frame.headers.find((h) => h.key === key)?.value;

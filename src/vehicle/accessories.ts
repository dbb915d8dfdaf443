// Things a car may have besides motion (the rc-app protocol's lights, horn and extra): each switched on
// or off, never moving the car. Which ones a car has is its codec's business (Codec.accessories).

export const ACCESSORY_NAMES = ['front-lights', 'back-lights', 'horn', 'extra'] as const;
export type AccessoryName = (typeof ACCESSORY_NAMES)[number];

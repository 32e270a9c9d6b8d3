import { foundationSuite } from './foundation.js';

foundationSuite('ocpp1.6');

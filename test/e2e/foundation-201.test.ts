import { foundationSuite } from './foundation.js';

foundationSuite('ocpp2.0.1');

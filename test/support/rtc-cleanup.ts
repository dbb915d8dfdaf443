// node-datachannel runs threads of its own: a peer connection a failed test left behind kept a test file's
// process alive after its last test (a clean-clone .ci/run hung there for ten minutes). Importing this
// module ends them all once the file's tests are done.
import { after } from 'node:test';
import nodeDataChannel from 'node-datachannel';

after(() => nodeDataChannel.cleanup());

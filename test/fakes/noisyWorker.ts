// A stand-in for the index worker that prints to stdout on starting, as a library in it might, then does the real
// worker's task (a whole sync, or a helper's part of one).
import '../../src/index/build/indexWorker';

console.log('noise from a worker');

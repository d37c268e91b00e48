import { describeBlobStoreConformance, describeMetadataStoreConformance } from './conformance.ts';
import { MemoryBlobStore, MemoryMetadataStore } from './memory.ts';

const notPersistent = 'the memory store lives only as long as its object';

describeBlobStoreConformance('memory', async (options) => ({ store: new MemoryBlobStore(options) }), {
  notPersistent,
  cannotCorrupt: 'the memory store copies bytes in and out, so nothing outside can damage them',
});

describeMetadataStoreConformance('memory', async (options) => ({ store: new MemoryMetadataStore(options) }), {
  notPersistent,
});

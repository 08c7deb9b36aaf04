// IndexedDB for y-indexeddb in jsdom.
import 'fake-indexeddb/auto'

package io.factorymeter.app.rocksdb;

import io.factorymeter.app.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the memory of all RocksDB state stores of the JVM together, as Kafka Streams' memory
 * management guide recommends: one block cache shared by every store, memtables charged to the
 * same cache through a shared {@link WriteBufferManager}, index and filter blocks kept in the
 * cache (with high priority) instead of outside any limit.
 *
 * <p>Settings (Kafka Streams configuration keys):
 * <ul>
 *   <li>{@code factory.meter.rocksdb.memory.bytes} — total off-heap memory of all stores: block
 *       cache, memtables, index and filter blocks (default 512 MiB: with 64 MiB the memtables of the
 *       about fifteen stores of a 6-partition pipeline were flushed while tiny, and writes stalled for
 *       up to 1.5 s per commit, which showed as seconds of latency; see the README, Performance);
 *   <li>{@code factory.meter.rocksdb.memtable.fraction} — share of it memtables may take
 *       (default 0.5);
 *   <li>{@code factory.meter.rocksdb.block.size.bytes} — data block size (default 16 KiB:
 *       larger than RocksDB's 4 KiB, so fewer index entries per cached byte).
 * </ul>
 * Each store has up to 2 memtables of 8 MiB; when the shared budget is reached RocksDB flushes
 * early instead of growing. The first configuration seen in the JVM sizes the shared cache.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {

  public static final String MEMORY_BYTES = "factory.meter.rocksdb.memory.bytes";
  public static final String MEMTABLE_FRACTION = "factory.meter.rocksdb.memtable.fraction";
  public static final String BLOCK_SIZE_BYTES = "factory.meter.rocksdb.block.size.bytes";

  static final long DEFAULT_MEMORY_BYTES = 512L * 1024 * 1024;
  static final double DEFAULT_MEMTABLE_FRACTION = 0.5;
  static final long DEFAULT_BLOCK_SIZE = 16 * 1024;
  private static final long MEMTABLE_SIZE = 8L * 1024 * 1024;
  private static final int MEMTABLES_PER_STORE = 2;

  private static Cache cache;
  private static WriteBufferManager writeBufferManager;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    long blockSize = ConfigValues.wholeNumber(configs, BLOCK_SIZE_BYTES, DEFAULT_BLOCK_SIZE, "a whole number of bytes");
    synchronized (BoundedMemoryRocksDbConfig.class) {
      if (cache == null) {
        long totalBytes = ConfigValues.wholeNumber(configs, MEMORY_BYTES, DEFAULT_MEMORY_BYTES, "a whole number of bytes");
        double fraction = ConfigValues.number(configs, MEMTABLE_FRACTION, DEFAULT_MEMTABLE_FRACTION);
        if (totalBytes < 8L * 1024 * 1024 || fraction <= 0 || fraction >= 1) {
          throw new ConfigException(MEMORY_BYTES + " must be at least 8 MiB and " + MEMTABLE_FRACTION + " in (0, 1)");
        }
        // a tenth of the cache is reserved for index and filter blocks (high priority pool)
        cache = new LRUCache(totalBytes, -1, false, 0.1);
        writeBufferManager = new WriteBufferManager((long) (totalBytes * fraction), cache);
      }
    }
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    table.setBlockSize(blockSize);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(writeBufferManager);
    options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE);
    options.setWriteBufferSize(MEMTABLE_SIZE);
  }

  @Override
  public void close(String storeName, Options options) {
    // the cache and write buffer manager are shared by every store: never closed here
  }
}

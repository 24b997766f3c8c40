// Lucene Monitor side of bench/peers (see bench/peers/lucene_case.py for the data format
// and how a subscription becomes a query). Usage:
//   java -cp <lucene jars>:<classes> MonitorBench SUBS.tsv GIGS.tsv OUT.txt KEEP BUDGET_S
// Registers every subscription as a MonitorQuery (id = its position), then matches the gigs
// one by one (warm-up first), timing each; writes "build_ms heap_mb queries" and, per gig,
// "latency_us count" followed by the matched ids for the first KEEP gigs.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.Term;
import org.apache.lucene.monitor.MatchingQueries;
import org.apache.lucene.monitor.Monitor;
import org.apache.lucene.monitor.MonitorQuery;
import org.apache.lucene.monitor.QueryMatch;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

public final class MonitorBench {
  static final class Grams extends Analyzer {
    private final int size;

    Grams(int size) {
      this.size = size;
    }

    @Override
    protected TokenStreamComponents createComponents(String field) {
      return new TokenStreamComponents(new NGramTokenizer(size, size));
    }
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static String[] list(String field) {
    if (field.isEmpty()) return new String[0];
    String[] parts = field.split("\u001f", -1);
    for (int i = 0; i < parts.length; i++) parts[i] = unescape(parts[i]);
    return parts;
  }

  /** Substring `word` of the text in `uni`/`bi` fields: a term, or a phrase of bigrams. */
  static Query contains(String uni, String bi, String word) {
    int[] cps = word.codePoints().toArray();
    if (cps.length == 1) return new TermQuery(new Term(uni, word));
    PhraseQuery.Builder p = new PhraseQuery.Builder();
    for (int i = 0; i + 1 < cps.length; i++) {
      p.add(new Term(bi, new String(cps, i, 2)), i);
    }
    return p.build();
  }

  static Query anyOf(List<Query> qs) {
    if (qs.size() == 1) return qs.get(0);
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Query q : qs) b.add(q, Occur.SHOULD);
    return b.build();
  }

  // subs line: modes, floor (-1: none), unknown_ok, domains, keywords_any, keywords_none,
  // day limit in half days (-1: none), locations; lists joined by U+001F.
  static Query subscription(String[] f) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    boolean positive = false;
    String[] modes = list(f[0]);
    if (modes.length < 3) {
      List<Query> qs = new ArrayList<>();
      for (String m : modes) qs.add(new TermQuery(new Term("mode", m)));
      if (qs.isEmpty()) qs.add(new TermQuery(new Term("mode", "none")));
      b.add(anyOf(qs), Occur.FILTER);
      positive = true;
    }
    int floor = Integer.parseInt(f[1]);
    if (floor >= 0) {
      Query range = IntPoint.newRangeQuery("rate", Math.max(floor, 1), Integer.MAX_VALUE);
      if (f[2].equals("1")) {
        range = anyOf(List.of(range, new TermQuery(new Term("flag", "rate_unknown"))));
      }
      b.add(range, Occur.FILTER);
      positive = true;
    }
    String[] domains = list(f[3]);
    if (domains.length > 0) {
      List<Query> qs = new ArrayList<>();
      for (String d : domains) qs.add(new TermQuery(new Term("domain", d)));
      b.add(anyOf(qs), Occur.FILTER);
      positive = true;
    }
    String[] any = list(f[4]);
    if (any.length > 0) {
      List<Query> qs = new ArrayList<>();
      for (String k : any) qs.add(contains("uni", "bi", k));
      b.add(anyOf(qs), Occur.FILTER);
      positive = true;
    }
    for (String k : list(f[5])) b.add(contains("uni", "bi", k), Occur.MUST_NOT);
    int days = Integer.parseInt(f[6]);
    if (days >= 0) {
      Query range = IntPoint.newRangeQuery("days2", Integer.MIN_VALUE, days);
      b.add(anyOf(List.of(range, new TermQuery(new Term("flag", "days_unknown")))), Occur.FILTER);
      positive = true;
    }
    String[] locations = list(f[7]);
    if (locations.length > 0) {
      List<Query> qs = new ArrayList<>();
      qs.add(new TermQuery(new Term("mode", "remote")));
      for (String l : locations) qs.add(contains("locuni", "locbi", l));
      b.add(anyOf(qs), Occur.FILTER);
      positive = true;
    }
    if (!positive) b.add(new MatchAllDocsQuery(), Occur.FILTER);
    return b.build();
  }

  // gigs line: mode ("" unknown), rate figure (-1 unknown), domains, days in half days
  // (-1 unknown), location ("" none), search text.
  static Document gig(String[] f) {
    Document d = new Document();
    if (!f[0].isEmpty()) d.add(new StringField("mode", f[0], Field.Store.NO));
    int rate = Integer.parseInt(f[1]);
    if (rate >= 0) d.add(new IntPoint("rate", rate));
    else d.add(new StringField("flag", "rate_unknown", Field.Store.NO));
    for (String dom : list(f[2])) d.add(new StringField("domain", dom, Field.Store.NO));
    int days = Integer.parseInt(f[3]);
    if (days >= 0) d.add(new IntPoint("days2", days));
    else d.add(new StringField("flag", "days_unknown", Field.Store.NO));
    String location = unescape(f[4]);
    if (!location.isEmpty()) {
      d.add(new TextField("locuni", location, Field.Store.NO));
      d.add(new TextField("locbi", location, Field.Store.NO));
    }
    String text = unescape(f[5]);
    d.add(new TextField("uni", text, Field.Store.NO));
    d.add(new TextField("bi", text, Field.Store.NO));
    return d;
  }

  public static void main(String[] args) throws IOException {
    Map<String, Analyzer> fields = new HashMap<>();
    fields.put("uni", new Grams(1));
    fields.put("bi", new Grams(2));
    fields.put("locuni", new Grams(1));
    fields.put("locbi", new Grams(2));
    Analyzer analyzer = new PerFieldAnalyzerWrapper(new KeywordAnalyzer(), fields);
    int keep = Integer.parseInt(args[3]);
    double budget = Double.parseDouble(args[4]);

    List<Document> gigs = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
      gigs.add(gig(line.split("\t", -1)));
    }
    long t0 = System.nanoTime();
    int n = 0;
    try (Monitor monitor = new Monitor(analyzer);
        BufferedReader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      List<MonitorQuery> batch = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        batch.add(new MonitorQuery(Integer.toString(n++), subscription(line.split("\t", -1))));
        if (batch.size() == 20000) {
          monitor.register(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) monitor.register(batch);
      long buildMs = (System.nanoTime() - t0) / 1_000_000;
      System.gc();
      Runtime rt = Runtime.getRuntime();
      long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
      try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
        out.write(buildMs + " " + heapMb + " " + monitor.getQueryCount() + "\n");
        for (int i = 0; i < Math.min(50, gigs.size()); i++) {
          monitor.match(gigs.get(i), QueryMatch.SIMPLE_MATCHER); // warm up
        }
        long start = System.nanoTime();
        for (int i = 0; i < gigs.size(); i++) {
          long s = System.nanoTime();
          MatchingQueries<QueryMatch> m = monitor.match(gigs.get(i), QueryMatch.SIMPLE_MATCHER);
          long us = (System.nanoTime() - s) / 1000;
          if (!m.getErrors().isEmpty()) {
            throw new IllegalStateException("query errors: " + m.getErrors());
          }
          StringBuilder b = new StringBuilder();
          b.append(us).append(' ').append(m.getMatchCount());
          if (i < keep) {
            for (QueryMatch q : m.getMatches()) b.append(' ').append(q.getQueryId());
          }
          out.write(b.append('\n').toString());
          if (i + 1 >= Math.min(keep, 10) && (System.nanoTime() - start) / 1e9 > budget) break;
        }
      }
    }
  }
}

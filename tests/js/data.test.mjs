// The data layer through the package: generator, MovieLens loading, splits, evaluation options.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  Dataset,
  Model,
  RecwasmError,
  demoDataset,
  evaluate,
  generateDemoData,
  lastByTime,
  leaveOneOut,
  loadRecwasm,
  ratioSplit,
  splitDataset,
} from 'recwasm';

const movielens = new URL('../../../shared/datasets/ml-latest-small/', import.meta.url).pathname;

before(async () => {
  await loadRecwasm();
});

// Node 20 has no `using`: objects passed to own() are disposed when the test body ends.
function owning(body) {
  return () => {
    const owned = [];
    try {
      body((object) => (owned.push(object), object));
    } finally {
      for (const object of owned.reverse()) object.dispose();
    }
  };
}

const isCode = (code, pattern) => (e) => e instanceof RecwasmError && e.code === code && pattern.test(e.message);

test('generateDemoData returns the notebook data as plain objects', () => {
  const data = generateDemoData();
  assert.deepEqual(data.options, {
    users: 30,
    items: 60,
    categories: 6,
    ratingsPerUser: 12,
    sessionLength: 8,
    seed: 42,
  });
  assert.equal(data.ratings.length, 358);
  assert.deepEqual(data.ratings[0], { user: 0, item: 39, rating: 4.4 });
  assert.deepEqual(data.items[7], {
    id: 7,
    title: 'Item_07_Category_02',
    category: 2,
    categoryName: 'Sci-Fi',
    description: 'cyber planet scifi galaxy space',
  });
  assert.equal(data.sessions.length, 30);
  assert.equal(data.userPreferredCategories.length, 30);
  // Sessions come from each user's preferred category.
  data.sessions.forEach((session, u) =>
    session.forEach((item) => assert.equal(data.items[item].category, data.userPreferredCategories[u])),
  );
  assert.throws(() => generateDemoData({ categories: 7 }), isCode('INVALID_ARGUMENT', /between 1 and 6/));
  assert.throws(() => generateDemoData({ seed: 2 ** 32 }), isCode('INVALID_ARGUMENT', /seed/));
  assert.throws(() => generateDemoData({ user: 3 }), isCode('INVALID_ARGUMENT', /unknown demo option 'user'/));
  // numpy (tests/parity/reference.py) for the largest seed: 353 ratings, user 0 first rates 18.
  const last = generateDemoData({ seed: 2 ** 32 - 1 });
  assert.equal(last.ratings.length, 353);
  assert.deepEqual(last.ratings[0], { user: 0, item: 18, rating: 2.6 });
  assert.equal(last.items[0]?.description, 'joke laugh satire ridiculous smile');
});

test(
  'the demo Dataset is built from the generated data',
  owning((own) => {
    const generated = generateDemoData({ users: 6, items: 1, ratingsPerUser: 3, sessionLength: 4 });
    // One item of category 3, no user prefers it: empty sessions, one rating per user.
    assert.deepEqual(generated.sessions, [[], [], [], [], [], []]);
    const data = own(Dataset.fromDemoData(generated));
    assert.deepEqual(data.summary(), {
      users: 6,
      items: 1,
      rows: 6,
      hasTimestamps: false,
      hasItemText: true,
      hasSessions: true,
    });
    const full = own(demoDataset());
    assert.equal(full.rowCount, 358);
    assert.equal(full.itemCount, 60);
    assert.equal(full.itemText()?.[0], 'smile joke awkward comedy ridiculous');
    assert.deepEqual(
      full.sessions()?.map((s) => Array.from(s)),
      generateDemoData().sessions,
    );
  }),
);

const RATINGS =
  '\uFEFFuserId,movieId,rating,timestamp\r\n' +
  '1,10,4.0,100\r\n' +
  '1,20,3.5,200\r\n' +
  '1,30,5.0,9000\r\n' +
  '2,10,2.0,100\r\n' +
  '2,40,4.5,50\r\n' +
  '3,5000000000,1.0,7';
const MOVIES = 'movieId,title,genres\n10,"Ten, The (1990)",Drama|Comedy\n50,Fifty,(no genres listed)\n';
const TAGS = 'userId,movieId,tag,timestamp\n1,10,"great, really",1\n2,50,quiet,2\n';

test(
  'Dataset.fromMovieLens takes text or bytes and applies the real-data rules',
  owning((own) => {
    const fromText = own(Dataset.fromMovieLens({ ratings: RATINGS, movies: MOVIES, tags: TAGS }));
    const encoder = new TextEncoder();
    const fromBytes = own(
      Dataset.fromMovieLens({
        ratings: encoder.encode(RATINGS),
        movies: encoder.encode(MOVIES),
        tags: encoder.encode(TAGS),
      }),
    );
    for (const data of [fromText, fromBytes]) {
      assert.deepEqual(Array.from(data.userIds()), [1, 2, 3]);
      assert.deepEqual(Array.from(data.itemIds()), [10, 20, 30, 40, 50, 5000000000]);
      assert.deepEqual(data.itemText(), [
        'Ten, The (1990) Drama Comedy great, really',
        '',
        '',
        '',
        'Fifty (no genres listed) quiet',
        '',
      ]);
      const rows = data.toArrays();
      assert.deepEqual(Array.from(rows.ratings), [4, 3.5, 5, 2, 4.5, 1]);
      assert.deepEqual(Array.from(rows.timestamps ?? []), [100, 200, 9000, 100, 50, 7]);
      // User 1: 10, 20 then a gap of 8800 s > 3600; user 2 in time order 40, 10; user 3.
      assert.deepEqual(
        data.sessions()?.map((s) => Array.from(s)),
        [[10, 20], [30], [40, 10], [5000000000]],
      );
    }
    const tight = own(Dataset.fromMovieLens({ ratings: RATINGS }, { sessionGapSeconds: 99 }));
    // Gaps above 99 s: user 1 splits three ways, user 2 (50 s apart) stays whole, user 3.
    assert.equal(tight.sessions()?.length, 5);
    assert.equal(tight.itemText(), null);
  }),
);

test(
  'fromMovieLens rejects bad input with the line and loads nothing',
  owning((own) => {
    assert.throws(
      () => Dataset.fromMovieLens({ ratings: 'userId,movieId,rating,timestamp\n1,2,3,4\n1,2,inf,5\n' }),
      isCode('PARSE_ERROR', /^ratings\.csv line 3: rating 'inf' is not a finite number$/),
    );
    assert.throws(() => Dataset.fromMovieLens({ ratings: '' }), isCode('PARSE_ERROR', /the file is empty/));
    assert.throws(
      () => Dataset.fromMovieLens({ ratings: RATINGS, movies: 'movieId,title\n1,"open\n' }),
      isCode('PARSE_ERROR', /^movies\.csv line 2: unterminated quoted field$/),
    );
    assert.throws(
      () => Dataset.fromMovieLens({ ratings: 'userId,movieId,rating\n1,9007199254740992,3\n' }),
      isCode('PARSE_ERROR', /beyond 2\^53 - 1/),
    );
    assert.throws(() => Dataset.fromMovieLens({ ratings: 42 }), isCode('INVALID_ARGUMENT', /string or a Uint8Array/));
    assert.throws(
      () => Dataset.fromMovieLens({ ratings: RATINGS }, { sessionGapSeconds: -1 }),
      isCode('INVALID_ARGUMENT', /sessionGapSeconds/),
    );
    // The module keeps working after the errors.
    const ok = own(Dataset.fromMovieLens({ ratings: RATINGS }));
    assert.equal(ok.rowCount, 6);
  }),
);

test(
  'splits: leave-one-out, last-by-time, ratio; train sessions hold only train rows',
  owning((own) => {
    const data = own(Dataset.fromMovieLens({ ratings: RATINGS }));
    const byTime = own(lastByTime(data));
    assert.deepEqual(Array.from(byTime.test.toArrays().items), [30, 10, 5000000000]);
    assert.deepEqual(Array.from(byTime.train.toArrays().items), [10, 20, 40]);
    // Rebuilt from train rows: user 1's 30 and user 2's 10 (test rows) are gone.
    assert.deepEqual(
      byTime.train.sessions()?.map((s) => Array.from(s)),
      [[10, 20], [40]],
    );

    const loo = own(leaveOneOut(data, { seed: 42 }));
    assert.equal(loo.test.rowCount, 3); // one per user; user 3's single row goes to test
    const ratio = own(ratioSplit(data, { testFraction: 0.5, seed: 1 }));
    assert.equal(ratio.test.rowCount, 3); // users 1 (2 of 3 rows) and 2 (1 of 2); user 3 stays in train
    assert.ok(ratio.train.toArrays().items.includes(5000000000));
    assert.throws(() => splitDataset(data, { method: 'sideways' }), isCode('INVALID_ARGUMENT', /unknown split/));
    assert.throws(() => ratioSplit(data, { testFraction: 1 }), isCode('INVALID_ARGUMENT', /strictly between/));

    const demo = own(demoDataset());
    assert.throws(() => lastByTime(demo), isCode('INVALID_ARGUMENT', /timestamps/));
    const demoSplit = own(leaveOneOut(demo));
    // The notebook's sessions are data of their own: both parts share them.
    assert.deepEqual(demoSplit.train.sessions(), demo.sessions());
  }),
);

test(
  'evaluate with candidates restricts what may be recommended',
  owning((own) => {
    const data = own(demoDataset());
    const split = own(leaveOneOut(data));
    const model = own(Model.create('popularity'));
    model.fit(split.train);
    const all = evaluate(model, split.test, { k: 10, keepRecommendations: true });
    const limited = evaluate(model, split.test, {
      k: 10,
      keepRecommendations: true,
      candidates: [0, 1, 2, 3, 4, 999],
    });
    for (const [, recs] of limited.recommendations ?? []) assert.ok(recs.items.every((item) => item < 5));
    assert.ok(limited.coverage <= 5 / 60);
    assert.ok(all.coverage > limited.coverage);
    assert.throws(() => evaluate(model, split.test, { candidates: 5 }), isCode('INVALID_ARGUMENT', /candidates/));
  }),
);

test(
  'ml-latest-small loads through the package',
  owning((own) => {
    const data = own(
      Dataset.fromMovieLens({
        ratings: readFileSync(join(movielens, 'ratings.csv')),
        movies: readFileSync(join(movielens, 'movies.csv')),
        tags: readFileSync(join(movielens, 'tags.csv'), 'utf8'),
      }),
    );
    assert.deepEqual(data.summary(), {
      users: 610,
      items: 9742,
      rows: 100836,
      hasTimestamps: true,
      hasItemText: true,
      hasSessions: true,
    });
    assert.equal(data.sessions()?.length, 6960);
    const text = data.itemText() ?? [];
    assert.equal(text[0], 'Toy Story (1995) Adventure Animation Children Comedy Fantasy pixar pixar fun');
  }),
);

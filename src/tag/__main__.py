from tag.cli import main

raise SystemExit(main())
